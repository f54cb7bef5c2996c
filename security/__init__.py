"""Sign-in protection and browser policies: lockouts, two-step sign-in, Content-Security-Policy.

The rate limiting, one-time codes and header building are done by well-kept
libraries (django-axes, django-otp, django-csp); this app holds the few lines
that fit them to the Wagtail admin. See docs/decisions.md.
"""
