"""Word lists the corpus draws its text from.

Real English words (so a full-text index tokenises and stems them as it would
real articles), real-looking names and places (so bylines and datelines look
printed), and a few planted rare words whose exact whereabouts the corpus
knows, so search tests have a ground truth.
"""

from __future__ import annotations

NOUNS = """
government ministry policy economy election legislator council minister president premier
official spokesperson committee agency budget tariff export import investment market share
index percent growth inflation rate bank currency dollar bond company factory plant chip
semiconductor supplier customer consumer retailer tourism visitor airline airport port harbor
railway highway bridge tunnel housing rent property developer farmer crop rice typhoon
earthquake flood drought rainfall temperature weather forecast energy power electricity grid
reactor solar wind turbine coal gas emission pollution climate carbon forest river coast island
village county city township district resident family parent student teacher school university
professor researcher scientist doctor nurse hospital patient vaccine virus disease health
insurance pension salary wage worker union strike protest rally demonstrator police officer
court judge prosecutor lawyer trial verdict sentence prison suspect crime fraud scam theft
military army navy air force soldier drill exercise missile aircraft vessel warship submarine
coast guard border treaty alliance diplomat embassy delegation summit talks negotiation
agreement dispute conflict ceasefire sanction trade partner ally neighbor region strait
history museum exhibition artist musician festival concert film director actor novel writer
poet language culture tradition temple shrine ceremony team player coach match tournament
league season record medal champion game stadium fan referee goal victory defeat
newspaper reporter editor survey poll result analyst expert report study data statistics
technology software platform internet network satellite robot vehicle battery engine
""".split()

VERBS_PAST = """
said announced confirmed denied warned urged called proposed approved rejected passed
signed launched opened closed visited met discussed reviewed criticized praised defended
reported revealed estimated forecast recorded raised cut increased reduced expanded
delayed postponed suspended resumed completed won lost scored beat defeated hosted
attended organized planned promised pledged vowed agreed insisted argued questioned
""".split()

VERBS_PRESENT = """
seeks urges plans faces eyes weighs backs slams vows hits tops wins loses opens closes
boosts cuts raises warns probes mulls sets eases lifts curbs expands targets
""".split()

ADJECTIVES = """
new former local national foreign domestic central northern southern eastern western
major minor key main public private senior junior annual quarterly monthly daily early
late recent current previous future political economic military cultural social legal
financial industrial digital environmental strong weak high low large small rapid slow
significant important serious critical urgent unprecedented historic controversial
popular traditional modern international regional global joint independent official
""".split()

ADVERBS = """
yesterday today recently previously also still already again further widely sharply
slightly steadily quickly openly formally publicly separately jointly
""".split()

CONNECTORS = """
because although while after before since unless whereas as
""".split()

TIME_PHRASES = [
    "last week", "last month", "earlier this year", "next month", "on Monday", "on Tuesday",
    "on Wednesday", "on Thursday", "on Friday", "over the weekend", "in the past decade",
    "by the end of the year", "in the first quarter", "since 2016",
]

#: romanised Taiwanese and foreign names, as the paper prints them
PEOPLE = [
    "Stacy Hsu", "Sean Lin", "Lin Liang-sheng", "Nadia Tsao", "William Hetherington",
    "Chen Yu-fu", "Liu Tzu-hsuan", "Lin Chia-nan", "Jason Pan", "Shelley Shan", "Chung Li-hua",
    "Jake Chung", "Kayleigh Madjar", "Hsiao Hsu-chen", "Wu Su-wei", "Yang Chun-hui",
    "Huang Tzu-ti", "Tsai Ssu-pei", "Ben Blanchard", "Yimou Lee", "Sarah Wu", "Ann Wang",
    "Fabian Hamacher", "Emily Chan", "Jonathan Chin", "Kao Shih-ching", "Lisa Wang",
    "Crystal Hsu", "Chien Li-chung", "Rachel Lin", "Tang Shih-ming", "Paul Cooper",
    "Diane Baker", "Marcus Aurin", "Julia Moreau", "Hiroshi Tanaka", "Kim Min-jun",
]

#: people quoted in body text (titles included)
SPEAKERS = [
    "Premier Cho Jung-tai", "Minister of Economic Affairs Kuo Jyh-huei",
    "Mainland Affairs Council Deputy Minister Liang Wen-chieh", "Taipei Mayor Chiang Wan-an",
    "Legislator Wang Ting-yu", "Professor Chen Fang-yu", "Central Bank Governor Yang Chin-long",
    "US Secretary of State Antony Blinken", "Japanese Prime Minister Shigeru Ishiba",
    "European Commission spokesperson Nabila Massrali", "coach Hsu Chung-yen",
]

PLACES_TW = [
    "Taipei", "New Taipei City", "Taichung", "Tainan", "Kaohsiung", "Hsinchu", "Keelung",
    "Hualien", "Taitung", "Pingtung", "Yilan", "Penghu", "Kinmen", "Matsu", "Chiayi", "Miaoli",
]

#: place names with their Chinese, printed as "Name (中文)" in body text
PLACES_ZH = [
    ("Jhongye Island", "中業島"), ("Taiping Island", "太平島"), ("Sun Moon Lake", "日月潭"),
    ("Alishan", "阿里山"), ("Yushan", "玉山"), ("Lanyu", "蘭嶼"), ("Dadaocheng", "大稻埕"),
    ("Jiufen", "九份"), ("Tamsui", "淡水"), ("Lugang", "鹿港"),
]

ORGS_ZH = [
    ("Executive Yuan", "行政院"), ("Legislative Yuan", "立法院"), ("Control Yuan", "監察院"),
    ("Ocean Affairs Council", "海洋委員會"), ("Central Weather Administration", "中央氣象署"),
    ("Taiwan Power Co", "台灣電力公司"), ("National Development Council", "國家發展委員會"),
]

#: datelines after an agency, upper case as printed
DATELINES = [
    "MANILA", "MOSCOW", "TAIPEI", "TOKYO", "BEIJING", "WASHINGTON", "NEW YORK", "HONG KONG",
    "SEOUL", "LONDON", "PARIS", "BERLIN", "SYDNEY", "SINGAPORE", "KUALA LUMPUR", "BANGKOK",
    "JAKARTA", "NEW DELHI", "GENEVA", "BRUSSELS", "KYIV", "JERUSALEM", "CAIRO", "NAIROBI",
]

KICKERS = [
    "DIVISIVE", "CROSS-STRAIT TIES", "TRADE TENSIONS", "‘UNPRECEDENTED’", "SECURITY", "ENERGY",
    "RECOVERY", "MIXED SIGNALS", "PUBLIC HEALTH", "DEFENSE", "HIGH STAKES", "FIRST STEP",
    "TOUGH TALK", "RECORD HIGH", "SETBACK", "OUTREACH",
]

TRANSLATORS = ["Eddy Chang", "Emma Liu", "Julian Clegg", "Lin Lee-kai", "Kyra Gemberling"]

PHOTO_CREDITS = ["AFP", "Reuters", "AP", "CNA", "Taipei Times", "EPA-EFE", "Bloomberg"]

#: rare words and phrases planted in a known few articles, for full-text search tests
PLANTED = [
    "zymurgy", "quincunx", "defenestration", "sesquipedalian", "ultracrepidarian",
    "petrichor", "Operation Kestrel Dawn", "purple tidal lantern",
]
