"""The plan of the demo world for The Hague and Assen: its logins, holders, names and numbers.

Every BSN lies in the 99999xxxx range the RvIG reserves for tests, and every IBAN uses the
bank code DEMO, so no demo number can belong to a real person or account.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from stdnum.nl import bsn as stdnum_bsn

from pgb_admin.accounts.models import User
from pgb_admin.accounts.two_factor import backup_codes_set, requires_two_factor
from pgb_admin.budgets.constants import Scheme

SEED = 518_106
DEMO_PASSWORD = "pgb-demo-2026"  # noqa: S105  (documented demo login, refused when DEBUG is off)
# Published backup codes of the demo logins that need two-factor authentication (staff,
# auditors, the bureau): demo only, like the password. Each works once; manage.py demo_logins
# shows those left and --renew-backup-codes gives them back.
DEMO_BACKUP_CODES = tuple(f"demo-{number:04d}" for number in range(1, 11))
YEAR = 2026
YEAR_START, YEAR_END = date(YEAR, 1, 1), date(YEAR, 12, 31)
MID_YEAR = date(YEAR, 7, 1)
INDEXATION = Decimal("1.025")  # the demo's rate rise from 1 July

THE_HAGUE, ASSEN = "GM0518", "GM0106"
CARE_OFFICE = {THE_HAGUE: "ZK-HAAGLANDEN", ASSEN: "ZK-DRENTHE"}
INSURER = "ZV-CZ"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    first_name: str
    last_name: str
    description: str


LOGINS = [
    DemoLogin("beheer", "Bea", "Beheer", "back office (superuser): sees and changes everything"),
    DemoLogin("jansen", "Johan", "Jansen", "budget holder doing their own administration"),
    DemoLogin("vertegenwoordiger", "Vera", "de Wit", "representative of 3 holders"),
    DemoLogin("bureau", "Bram", "Bureau", "pgb bureau acting for 20 holders"),
    DemoLogin("familie", "Fleur", "Visser", "family member with read-only access to 1 holder"),
    DemoLogin("controleur.denhaag", "Daan", "Dekker", "auditor of The Hague (GM0518), read-only"),
    DemoLogin("controleur.assen", "Anouk", "Smit", "auditor of Assen (GM0106), read-only"),
    DemoLogin("oud.vertegenwoordiger", "Otto", "Mulder", "mandate expired end 2025: sees nothing"),
]

FIRST_NAMES = [
    "Anna",
    "Bas",
    "Chantal",
    "Daan",
    "Emma",
    "Fatima",
    "Gerrit",
    "Hanna",
    "Ilse",
    "Jeroen",
    "Kees",
    "Lotte",
    "Mohamed",
    "Noor",
    "Oscar",
    "Priya",
    "Ruben",
    "Sanne",
    "Tim",
    "Yara",
]
SURNAMES = [
    "de Jong",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Kaya",
    "El Amrani",
    "Jacobs",
    "van Dijk",
    "Willems",
    "Vermeulen",
    "Koster",
]

# (municipality, schemes) of the 30 holders. 0: jansen; 1-3: the representative's;
# 4-23: the bureau's; 24-29: others (24 has a read-only family member).
HOLDER_PLAN: list[tuple[str, tuple[str, ...]]] = [
    (THE_HAGUE, (Scheme.WMO,)),
    (ASSEN, (Scheme.JEUGDWET,)),
    (ASSEN, (Scheme.WLZ, Scheme.WMO)),
    (THE_HAGUE, (Scheme.ZVW, Scheme.WMO)),
    *[
        (THE_HAGUE if index % 2 else ASSEN, (scheme,))
        for index, scheme in enumerate(
            [Scheme.WMO, Scheme.WMO, Scheme.JEUGDWET, Scheme.WLZ, Scheme.WMO] * 4, start=4
        )
    ],
    (THE_HAGUE, (Scheme.WLZ,)),
    (THE_HAGUE, (Scheme.JEUGDWET,)),
    (ASSEN, (Scheme.WMO,)),
    (ASSEN, (Scheme.ZVW,)),
    (THE_HAGUE, (Scheme.WLZ,)),
    (ASSEN, (Scheme.JEUGDWET,)),
]

PRODUCTS_OF_SCHEME: dict[str, list[str]] = {
    Scheme.WMO: ["huishoudelijke_hulp", "begeleiding_individueel", "begeleiding_groep"],
    Scheme.JEUGDWET: ["begeleiding_individueel", "kortdurend_verblijf", "persoonlijke_verzorging"],
    Scheme.WLZ: [
        "persoonlijke_verzorging",
        "verpleging",
        "begeleiding_individueel",
        "begeleiding_groep",
    ],
    Scheme.ZVW: ["verpleging", "persoonlijke_verzorging"],
}

# No holder has a Wlz and a Wmo grant for the same need. The Wlz covers personal care, nursing
# and begeleiding (Wlz art. 3.1.1) and the municipality may refuse a maatwerkvoorziening to a
# client the Wlz covers (Wmo 2015 art. 2.3.5 lid 6); art. 8.6a keeps aids, home adaptations and,
# for a Wlz client at home with a modulair pakket thuis, the cleaning of the home (CRvB
# 2018:3933). A holder with both grants has household help only from the Wmo (unverified for a
# Wlz pgb without an MPT: the demo assumes part of the Wlz care comes as an MPT). A Zvw grant
# (nursing at home) goes with a Wmo one.
WMO_PRODUCTS_BESIDE_WLZ = ["huishoudelijke_hulp"]

# Holders whose May goes wrong on purpose (care.py): their agreements keep one version,
# so the changes of May can be registered after it.
MISTAKE_HOLDERS = frozenset(range(4, 18)) | {24}

# Care organisations shared by many holders in their region (formal care).
ORGANISATIONS = {
    THE_HAGUE: [
        ("Thuiszorg Hofstad B.V.", "27123456", "41000011"),
        ("Begeleiding Op Maat Haaglanden", "27234567", "41000012"),
    ],
    ASSEN: [
        ("Zorggroep Drentse Aa", "04123456", "41000021"),
        ("Zorgboerderij De Vlinder", "04234567", "41000022"),
    ],
}


def demo_bsns():
    """Valid BSNs from the test range 999990000-999999999, in order."""
    for number in range(999_990_000, 1_000_000_000):
        if stdnum_bsn.is_valid(str(number)):
            yield str(number)


def demo_iban(account: int) -> str:
    bban = f"DEMO{account:010d}"
    digits = "".join(str(int(character, 36)) for character in bban + "NL00")
    return f"NL{98 - int(digits) % 97:02d}{bban}"


def demo_two_factor_users() -> list[User]:
    """The demo logins that need two-factor authentication, in the order of LOGINS."""
    users = User.objects.in_bulk([login.username for login in LOGINS], field_name="username")
    return [
        users[login.username]
        for login in LOGINS
        if login.username in users and requires_two_factor(users[login.username])
    ]


def demo_backup_codes_renew() -> None:
    for user in demo_two_factor_users():
        backup_codes_set(user, list(DEMO_BACKUP_CODES))


def demo_world_present() -> bool:
    return User.objects.filter(username=LOGINS[0].username).exists()
