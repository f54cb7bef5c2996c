"""Demo content: a network of civil-liberties organizations and three letters.

Organization names, acronyms and countries are public facts; every sentence
here was written for Broadside. Each translatable string carries its French
and Arabic translations (and, for the sections, organizations and flagship letter,
home/demo/more_languages.py gives five more), which `load_demo` feeds through
wagtail-localize's own translation machinery (PO import, then publish) exactly as
a translator would.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class T:
    """A source string and its translations."""

    en: str
    fr: str
    ar: str

    def __str__(self) -> str:
        return self.en


SITE_NAME = "Broadside demo"

HOME = {
    "title": T(
        "Open letters and joint statements",
        "Lettres ouvertes et déclarations communes",
        "رسائل مفتوحة وبيانات مشتركة",
    ),
    "intro": T(
        "Civil-liberties organizations from thirteen countries speak with one voice here.",
        "Des organisations de défense des libertés civiles de treize pays parlent ici d’une seule voix.",
        "هنا تتحدث منظمات للحريات المدنية من ثلاثة عشر بلدًا بصوت واحد.",
    ),
}
LETTER_INDEX = {
    "slug": "letters",
    "title": T("Letters", "Lettres", "الرسائل"),
    "intro": T(
        "Everything the network has signed, newest first.",
        "Tout ce que le réseau a signé, du plus récent au plus ancien.",
        "كل ما وقّعته الشبكة، من الأحدث إلى الأقدم.",
    ),
}
ORGANIZATION_INDEX = {
    "slug": "organizations",
    "title": T("Organizations", "Organisations", "المنظمات"),
    "intro": T(
        "The organizations that sign our letters.",
        "Les organisations qui signent nos lettres.",
        "المنظمات التي توقّع رسائلنا.",
    ),
}

TOPICS = [
    {"slug": "privacy", "name": T("Privacy", "Vie privée", "الخصوصية")},
    {
        "slug": "free-expression",
        "name": T("Freedom of expression", "Liberté d’expression", "حرية التعبير"),
    },
    {"slug": "surveillance", "name": T("Surveillance", "Surveillance", "المراقبة")},
    {"slug": "assembly", "name": T("Freedom of assembly", "Liberté de réunion", "حرية التجمع")},
]

NETWORK = {
    "slug": "inclo",
    "title": T(
        "International Network of Civil Liberties Organizations",
        "Réseau international des organisations de défense des libertés civiles",
        "الشبكة الدولية لمنظمات الحريات المدنية",
    ),
    "acronym": T("INCLO", "INCLO", "INCLO"),
    "country": "",
    "website": "https://www.inclo.net/",
    "description": T(
        "A network of independent national human-rights organizations from the global South and North that work together on shared threats to civil liberties.",
        "Un réseau d’organisations nationales et indépendantes de défense des droits humains, du Sud comme du Nord, qui font front commun face aux menaces contre les libertés civiles.",
        "شبكة من منظمات وطنية مستقلة لحقوق الإنسان من الجنوب والشمال تعمل معًا في مواجهة التهديدات المشتركة للحريات المدنية.",
    ),
    "handles": {"x": "@INCLOnetwork"},
    "colour": "#1d3557",
}

# The thirteen member organizations, in the order letters list them.
MEMBERS = [
    {
        "slug": "agora",
        "title": T(
            "Agora International Human Rights Group",
            "Groupe international de défense des droits humains Agora",
            "مجموعة أغورا الدولية لحقوق الإنسان",
        ),
        "acronym": T("Agora", "Agora", "أغورا"),
        "country": "RU",
        "website": "https://en.agora.legal/",
        "description": T(
            "An association of lawyers who take on precedent-setting human-rights cases.",
            "Une association d’avocats qui plaident des affaires de droits humains faisant jurisprudence.",
            "رابطة محامين تتولى قضايا حقوق إنسان ترسي سوابق قضائية.",
        ),
        "handles": {},
        "colour": "#6a4c93",
    },
    {
        "slug": "aclu",
        "title": T(
            "American Civil Liberties Union",
            "American Civil Liberties Union",
            "الاتحاد الأمريكي للحريات المدنية",
        ),
        "acronym": T("ACLU", "ACLU", "ACLU"),
        "country": "US",
        "website": "https://www.aclu.org/",
        "description": T(
            "Defends the rights that the United States Constitution guarantees to every person in the country.",
            "Défend les droits que la Constitution des États-Unis garantit à chaque personne dans le pays.",
            "يدافع عن الحقوق التي يكفلها دستور الولايات المتحدة لكل شخص في البلاد.",
        ),
        "handles": {"x": "@ACLU", "bluesky": "aclu.org", "instagram": "@aclu_nationwide"},
        "colour": "#0a3161",
    },
    {
        "slug": "acri",
        "title": T(
            "Association for Civil Rights in Israel",
            "Association pour les droits civiques en Israël",
            "جمعية حقوق المواطن في إسرائيل",
        ),
        "acronym": T("ACRI", "ACRI", "ACRI"),
        "country": "IL",
        "website": "https://www.english.acri.org.il/",
        "description": T(
            "Works for human and civil rights in Israel and the territories under its control.",
            "Agit pour les droits humains et civiques en Israël et dans les territoires sous son contrôle.",
            "تعمل من أجل حقوق الإنسان والحقوق المدنية في إسرائيل والمناطق الخاضعة لسيطرتها.",
        ),
        "handles": {"x": "@acri_online"},
        "colour": "#2a9d8f",
    },
    {
        "slug": "ccla",
        "title": T(
            "Canadian Civil Liberties Association",
            "Association canadienne des libertés civiles",
            "الجمعية الكندية للحريات المدنية",
        ),
        "acronym": T("CCLA", "ACLC", "CCLA"),
        "country": "CA",
        "website": "https://ccla.org/",
        "description": T(
            "A national, non-profit organization that has stood up for the rights and freedoms of people in Canada since 1964.",
            "Un organisme national sans but lucratif qui défend depuis 1964 les droits et libertés des personnes au Canada.",
            "منظمة وطنية غير ربحية تدافع منذ عام 1964 عن حقوق الناس وحرياتهم في كندا.",
        ),
        "handles": {"x": "@cancivlib", "instagram": "@cancivlib", "facebook": "cancivlib"},
        "colour": "#c1121f",
    },
    {
        "slug": "cels",
        "title": T(
            "Centro de Estudios Legales y Sociales",
            "Centro de Estudios Legales y Sociales",
            "مركز الدراسات القانونية والاجتماعية",
        ),
        "acronym": T("CELS", "CELS", "CELS"),
        "country": "AR",
        "website": "https://www.cels.org.ar/",
        "description": T(
            "Promotes human rights and strengthens democracy in Argentina through research, litigation and advocacy.",
            "Promeut les droits humains et renforce la démocratie en Argentine par la recherche, le contentieux et le plaidoyer.",
            "يعزّز حقوق الإنسان ويقوّي الديمقراطية في الأرجنتين عبر البحث والتقاضي والمناصرة.",
        ),
        "handles": {"x": "@CELS_Argentina"},
        "colour": "#457b9d",
    },
    {
        "slug": "dejusticia",
        "title": T("Dejusticia", "Dejusticia", "ديخوستيسيا"),
        "acronym": T("", "", ""),
        "country": "CO",
        "website": "https://www.dejusticia.org/",
        "description": T(
            "A research and advocacy centre that works for social justice and the rule of law in Colombia and the global South.",
            "Un centre de recherche et de plaidoyer qui œuvre pour la justice sociale et l’État de droit en Colombie et dans les pays du Sud.",
            "مركز للبحث والمناصرة يعمل من أجل العدالة الاجتماعية وسيادة القانون في كولومبيا ودول الجنوب.",
        ),
        "handles": {"x": "@Dejusticia"},
        "colour": "#e76f51",
    },
    {
        "slug": "eipr",
        "title": T(
            "Egyptian Initiative for Personal Rights",
            "Initiative égyptienne pour les droits personnels",
            "المبادرة المصرية للحقوق الشخصية",
        ),
        "acronym": T("EIPR", "EIPR", "EIPR"),
        "country": "EG",
        "website": "https://eipr.org/en",
        "description": T(
            "Defends personal freedoms and civil rights in Egypt through research, advocacy and litigation.",
            "Défend les libertés individuelles et les droits civils en Égypte par la recherche, le plaidoyer et le contentieux.",
            "تدافع عن الحريات الشخصية والحقوق المدنية في مصر عبر البحث والمناصرة والتقاضي.",
        ),
        "handles": {"x": "@EIPR"},
        "colour": "#8d6e63",
    },
    {
        "slug": "hrln",
        "title": T(
            "Human Rights Law Network", "Human Rights Law Network", "شبكة قانون حقوق الإنسان"
        ),
        "acronym": T("HRLN", "HRLN", "HRLN"),
        "country": "IN",
        "website": "https://hrln.org/",
        "description": T(
            "A collective of lawyers and activists that brings human-rights cases before India’s courts.",
            "Un collectif d’avocats et de militants qui porte des affaires de droits humains devant les tribunaux indiens.",
            "تجمّع من المحامين والناشطين يرفع قضايا حقوق الإنسان أمام محاكم الهند.",
        ),
        "handles": {},
        "colour": "#f4a261",
    },
    {
        "slug": "hclu",
        "title": T(
            "Hungarian Civil Liberties Union",
            "Union hongroise pour les libertés civiles",
            "الاتحاد المجري للحريات المدنية",
        ),
        "acronym": T("HCLU", "HCLU", "HCLU"),
        "country": "HU",
        "website": "https://hclu.hu/en",
        "description": T(
            "Protects fundamental rights in Hungary, offering free legal help and challenging abuses of power.",
            "Protège les droits fondamentaux en Hongrie, offre une aide juridique gratuite et conteste les abus de pouvoir.",
            "يحمي الحقوق الأساسية في المجر، ويقدّم مساعدة قانونية مجانية ويتصدّى لإساءة استخدام السلطة.",
        ),
        "handles": {"x": "@TASZ_HCLU"},
        "colour": "#3a5a40",
    },
    {
        "slug": "iccl",
        "title": T(
            "Irish Council for Civil Liberties",
            "Conseil irlandais pour les libertés civiles",
            "المجلس الأيرلندي للحريات المدنية",
        ),
        "acronym": T("ICCL", "ICCL", "ICCL"),
        "country": "IE",
        "website": "https://www.iccl.ie/",
        "description": T(
            "Ireland’s oldest independent human-rights body, working for a fair and open society since 1976.",
            "Le plus ancien organisme indépendant de défense des droits humains en Irlande, qui œuvre depuis 1976 pour une société juste et ouverte.",
            "أقدم هيئة مستقلة لحقوق الإنسان في أيرلندا، تعمل منذ عام 1976 من أجل مجتمع عادل ومنفتح.",
        ),
        "handles": {"x": "@ICCLtweet", "mastodon": "@ICCL@mastodon.ie"},
        "colour": "#2d6a4f",
    },
    {
        "slug": "khrc",
        "title": T(
            "Kenya Human Rights Commission",
            "Commission kényane des droits humains",
            "لجنة حقوق الإنسان الكينية",
        ),
        "acronym": T("KHRC", "KHRC", "KHRC"),
        "country": "KE",
        "website": "https://www.khrc.or.ke/",
        "description": T(
            "A non-governmental organization that has campaigned for human rights and democratic governance in Kenya since 1992.",
            "Une organisation non gouvernementale qui milite depuis 1992 pour les droits humains et la gouvernance démocratique au Kenya.",
            "منظمة غير حكومية تناضل منذ عام 1992 من أجل حقوق الإنسان والحكم الديمقراطي في كينيا.",
        ),
        "handles": {"x": "@thekhrc"},
        "colour": "#9d0208",
    },
    {
        "slug": "lrc",
        "title": T("Legal Resources Centre", "Legal Resources Centre", "مركز الموارد القانونية"),
        "acronym": T("LRC", "LRC", "LRC"),
        "country": "ZA",
        "website": "https://lrc.org.za/",
        "description": T(
            "South Africa’s largest public-interest law centre, using the law to advance justice and equality.",
            "Le plus grand centre de droit d’intérêt public d’Afrique du Sud, qui se sert du droit pour faire progresser la justice et l’égalité.",
            "أكبر مركز للقانون في خدمة المصلحة العامة في جنوب أفريقيا، يستخدم القانون للنهوض بالعدالة والمساواة.",
        ),
        "handles": {"x": "@LRC_SouthAfrica"},
        "colour": "#ffb703",
    },
    {
        "slug": "liberty",
        "title": T("Liberty", "Liberty", "ليبرتي"),
        "acronym": T("", "", ""),
        "country": "GB",
        "website": "https://www.libertyhumanrights.org.uk/",
        "description": T(
            "An independent membership organization that challenges injustice and defends civil liberties in the United Kingdom.",
            "Une organisation indépendante de membres qui combat l’injustice et défend les libertés civiles au Royaume-Uni.",
            "منظمة عضوية مستقلة تتصدّى للظلم وتدافع عن الحريات المدنية في المملكة المتحدة.",
        ),
        "handles": {"x": "@libertyhq"},
        "colour": "#264653",
    },
]

PUBLISHER_SLUG = "ccla"

LETTERS = [
    {
        "slug": "private-messaging-russia",
        "letter_type": "open_letter",
        "publication_date": "2018-05-03",
        "topics": ["privacy", "free-expression", "surveillance"],
        "title": T(
            "Speak up for private messaging in Russia",
            "Défendez la messagerie privée en Russie",
            "دافعوا عن المراسلة الخاصة في روسيا",
        ),
        "standfirst": T(
            "Thirteen civil-liberties organizations ask four technology companies to oppose the court order that blocks an encrypted messenger in Russia.",
            "Treize organisations de défense des libertés civiles demandent à quatre entreprises technologiques de s’opposer à la décision de justice qui bloque une messagerie chiffrée en Russie.",
            "تطالب ثلاث عشرة منظمة للحريات المدنية أربع شركات تكنولوجيا بمعارضة الحكم القضائي الذي يحجب تطبيق مراسلة مشفّرًا في روسيا.",
        ),
        "addressees": T(
            "Google, Amazon, Microsoft and Apple",
            "Google, Amazon, Microsoft et Apple",
            "Google وAmazon وMicrosoft وApple",
        ),
        "body": [
            (
                "paragraph",
                T(
                    "A Moscow court has ordered an encrypted messaging service blocked across Russia. The order reaches far beyond one app: to enforce it, the authorities have cut off millions of internet addresses, and with them services that people in Russia rely on every day.",
                    "Un tribunal de Moscou a ordonné le blocage d’un service de messagerie chiffrée dans toute la Russie. La décision dépasse de loin une seule application\u00a0: pour l’appliquer, les autorités ont coupé l’accès à des millions d’adresses internet, et avec elles à des services dont les habitants de la Russie dépendent chaque jour.",
                    "أمرت محكمة في موسكو بحجب خدمة مراسلة مشفّرة في أنحاء روسيا كافة. ويتجاوز هذا الأمر تطبيقًا واحدًا بكثير: فلتنفيذه قطعت السلطات ملايين عناوين الإنترنت، ومعها خدمات يعتمد عليها الناس في روسيا كل يوم.",
                ),
            ),
            (
                "paragraph",
                T(
                    "Our member in Russia represented the service in court and argued that the state has no lawful basis to demand access to private conversations. We agree. Confidential communication is the precondition of a free press, of political organizing and of everyday private life.",
                    "Notre membre en Russie a représenté le service devant la justice et a soutenu que l’État n’a aucun fondement légal pour exiger l’accès aux conversations privées. Nous sommes d’accord. La confidentialité des communications est la condition d’une presse libre, de l’organisation politique et de la vie privée au quotidien.",
                    "مثّل عضونا في روسيا الخدمة أمام المحكمة وأكّد أن الدولة لا تملك أي أساس قانوني للمطالبة بالاطلاع على المحادثات الخاصة. ونحن نوافقه الرأي. فسرّية الاتصالات شرط لحرية الصحافة وللتنظيم السياسي وللحياة الخاصة اليومية.",
                ),
            ),
            ("heading", T("What we ask of you", "Ce que nous vous demandons", "ما نطلبه منكم")),
            (
                "paragraph",
                T(
                    "Your infrastructure carries a large share of the traffic now being blocked. We ask you to state publicly that you oppose the order, to tell your users in Russia what is happening to their service, and to refuse any request to weaken encryption.",
                    "Votre infrastructure achemine une grande partie du trafic aujourd’hui bloqué. Nous vous demandons de déclarer publiquement votre opposition à cette décision, d’informer vos utilisateurs en Russie de ce qui arrive à leur service et de refuser toute demande d’affaiblissement du chiffrement.",
                    "تنقل بنيتكم التحتية جزءًا كبيرًا من حركة البيانات المحجوبة الآن. نطلب منكم أن تعلنوا معارضتكم لهذا الأمر، وأن تُطلعوا مستخدميكم في روسيا على ما يحدث لخدمتهم، وأن ترفضوا أي طلب لإضعاف التشفير.",
                ),
            ),
            (
                "quote",
                T(
                    "When one country blocks private messaging, every government that wants to read its citizens’ conversations takes note.",
                    "Quand un pays bloque la messagerie privée, tous les gouvernements qui veulent lire les conversations de leurs citoyens en prennent note.",
                    "حين يحجب بلد ما المراسلة الخاصة، تأخذ كل حكومة تريد قراءة محادثات مواطنيها علمًا بذلك.",
                ),
            ),
            (
                "paragraph",
                T(
                    "We stand with our colleagues in Russia and with everyone whose right to speak privately is under attack.",
                    "Nous sommes aux côtés de nos collègues en Russie et de toutes les personnes dont le droit de communiquer en privé est attaqué.",
                    "نقف إلى جانب زملائنا في روسيا وإلى جانب كل من يتعرّض حقه في التواصل الخاص للهجوم.",
                ),
            ),
        ],
        "signatories": [(m["slug"], "public") for m in MEMBERS],
        "signers": [
            {
                "name": "Maya Okonkwo",
                "role": T(
                    "Information rights programme manager",
                    "Responsable du programme droits de l’information",
                    "مديرة برنامج الحقوق المعلوماتية",
                ),
                "organization": "inclo",
            },
        ],
        "contacts": [
            {
                "label": T(
                    "Media enquiries", "Relations avec les médias", "استفسارات وسائل الإعلام"
                ),
                "name": "Maya Okonkwo",
                "role": T("Programme manager", "Responsable de programme", "مديرة البرنامج"),
                "email": "media@example.org",
                "phone": "+1 555 0100",
            }
        ],
    },
    {
        "slug": "protest-is-a-right",
        "letter_type": "joint_statement",
        "publication_date": "2024-03-14",
        "topics": ["assembly", "free-expression"],
        "title": T(
            "Protest is a right, not a privilege",
            "Manifester est un droit, pas un privilège",
            "الاحتجاج حق وليس امتيازًا",
        ),
        "standfirst": T(
            "Member organizations call on governments to stop treating peaceful assemblies as threats to be contained.",
            "Les organisations membres appellent les gouvernements à cesser de traiter les rassemblements pacifiques comme des menaces à contenir.",
            "تدعو المنظمات الأعضاء الحكومات إلى التوقف عن معاملة التجمعات السلمية كتهديدات يجب احتواؤها.",
        ),
        "addressees": T("National governments", "Les gouvernements nationaux", "الحكومات الوطنية"),
        "body": [
            (
                "paragraph",
                T(
                    "Across our countries, people who gather peacefully meet new permit rules, blanket bans, kettling and fines that make protest costly and rare.",
                    "Dans nos pays, les personnes qui se rassemblent pacifiquement se heurtent à de nouvelles règles d’autorisation, à des interdictions générales, à des nasses et à des amendes qui rendent la manifestation coûteuse et rare.",
                    "في بلداننا، يواجه من يتجمّعون سلميًا قواعد ترخيص جديدة وحظرًا شاملًا وتطويقًا وغرامات تجعل الاحتجاج مكلفًا ونادرًا.",
                ),
            ),
            (
                "paragraph",
                T(
                    "International law is clear: the state must facilitate peaceful assemblies, not merely tolerate them. Restrictions must be necessary, proportionate and decided case by case.",
                    "Le droit international est clair\u00a0: l’État doit faciliter les rassemblements pacifiques, et non se contenter de les tolérer. Les restrictions doivent être nécessaires, proportionnées et décidées au cas par cas.",
                    "القانون الدولي واضح: على الدولة أن تيسّر التجمعات السلمية لا أن تكتفي بالتسامح معها. ويجب أن تكون القيود ضرورية ومتناسبة وأن تُقرَّر كل حالة على حدة.",
                ),
            ),
            (
                "paragraph",
                T(
                    "We ask governments to repeal blanket bans, to end the use of surveillance technology against demonstrators, and to hold accountable officers who use unlawful force.",
                    "Nous demandons aux gouvernements d’abroger les interdictions générales, de cesser d’utiliser des technologies de surveillance contre les manifestants et de demander des comptes aux agents qui font un usage illégal de la force.",
                    "نطالب الحكومات بإلغاء الحظر الشامل، ووقف استخدام تكنولوجيا المراقبة ضد المتظاهرين، ومحاسبة العناصر الذين يستخدمون القوة بشكل غير قانوني.",
                ),
            ),
        ],
        "signatories": [
            ("cels", "public"),
            ("khrc", "public"),
            ("eipr", "anonymous_country"),
            ("liberty", "public"),
            ("iccl", "public"),
            ("aclu", "public"),
            ("lrc", "public"),
            ("hrln", "public"),
        ],
        "signers": [],
        "contacts": [],
    },
    {
        "slug": "facial-recognition-public-spaces",
        "letter_type": "open_letter",
        "publication_date": "2025-09-22",
        "topics": ["surveillance", "privacy"],
        "title": T(
            "Keep facial recognition out of public spaces",
            "Pas de reconnaissance faciale dans l’espace public",
            "أبعدوا التعرّف على الوجوه عن الأماكن العامة",
        ),
        "standfirst": T(
            "Six organizations ask legislators to ban live facial recognition in streets, stations and squares.",
            "Six organisations demandent aux législateurs d’interdire la reconnaissance faciale en temps réel dans les rues, les gares et sur les places.",
            "تطالب ست منظمات المشرّعين بحظر التعرّف الآني على الوجوه في الشوارع والمحطات والساحات.",
        ),
        "addressees": T(
            "Members of parliament", "Mesdames et messieurs les parlementaires", "أعضاء البرلمان"
        ),
        "body": [
            (
                "paragraph",
                T(
                    "Cameras that identify every passer-by turn a walk to work into a police check. No one can know in advance which faces will be stored, matched or shared.",
                    "Des caméras qui identifient chaque passant transforment le trajet vers le travail en contrôle de police. Personne ne peut savoir à l’avance quels visages seront enregistrés, comparés ou partagés.",
                    "الكاميرات التي تتعرّف على كل عابر سبيل تحوّل الطريق إلى العمل إلى تفتيش أمني. ولا يمكن لأحد أن يعرف مسبقًا أي الوجوه ستُخزَّن أو تُطابَق أو تُشارَك.",
                ),
            ),
            (
                "paragraph",
                T(
                    "These systems make the most mistakes with the people who are already most policed. A ban, not a code of practice, is the only safeguard that works.",
                    "Ces systèmes se trompent le plus souvent sur les personnes qui sont déjà les plus contrôlées. Une interdiction, et non un code de bonne conduite, est la seule garantie efficace.",
                    "ترتكب هذه الأنظمة أكثر أخطائها بحق الأشخاص الذين يخضعون أصلًا لأكبر قدر من المراقبة الأمنية. والحظر، لا مدوّنة سلوك، هو الضمانة الوحيدة الفعّالة.",
                ),
            ),
        ],
        "signatories": [
            ("liberty", "public"),
            ("iccl", "public"),
            ("hclu", "public"),
            ("acri", "public"),
            ("agora", "withheld"),
            ("dejusticia", "public"),
        ],
        "signers": [],
        "contacts": [
            {
                "label": T("Press office", "Service de presse", "المكتب الصحفي"),
                "name": "",
                "role": T("", "", ""),
                "email": "press@example.org",
                "phone": "",
            }
        ],
    },
]

LANGUAGES = ("fr", "ar")


def translations(languages=LANGUAGES) -> dict[str, dict[str, str]]:
    """Every demo string by target language: {"fr": {english: french}, "ar": {…}}.

    For a language `T` has no field for (home.demo.more_languages), the strings come from
    `more_languages.STRINGS`; one it lacks is left out (that page is not translated).
    Plain strings (people's names, phone numbers, slugs) read the same in every language.
    """
    from .more_languages import STRINGS

    catalog: dict[str, dict[str, str]] = {language: {} for language in languages}

    def add(value) -> None:
        if isinstance(value, T):
            for language in languages:
                if not value.en:
                    continue
                translated = getattr(value, language, None) or STRINGS.get(language, {}).get(
                    value.en
                )
                if translated is not None:
                    catalog[language][value.en] = translated
            return
        elif isinstance(value, str) and value:
            for language in languages:
                catalog[language].setdefault(value, value)
        elif isinstance(value, dict):
            for item in value.values():
                add(item)
        elif isinstance(value, list | tuple):
            for item in value:
                add(item)

    add([HOME, LETTER_INDEX, ORGANIZATION_INDEX, TOPICS, NETWORK, MEMBERS, LETTERS])
    # Acronyms are names: where no translation is written, they stay as they are.
    for organization in [NETWORK, *MEMBERS]:
        for language in languages:
            catalog[language].setdefault(organization["acronym"].en, organization["acronym"].en)
    return catalog
