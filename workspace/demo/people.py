"""The demo's people: members from both sides of the border, a facilitator, a reviewer, an admin."""

from __future__ import annotations

from workspace.accounts.models import ActorKind, Language, MembershipRole, Territory

# email, name, organisation, territory, actor kind, language, role in 2013, group index (None: no group)
PEOPLE = [
    ("admin@passerelle.example", "Camille Renard", "Passerelle", Territory.ELSEWHERE,
     ActorKind.ASSOCIATION, Language.FRENCH, None, None),
    ("sophie.lambert@passerelle.example", "Sophie Lambert", "Relais social de Charleroi", Territory.HAINAUT,
     ActorKind.SOCIAL_WORKER, Language.FRENCH, MembershipRole.FACILITATOR, 0),
    ("julien.deroo@passerelle.example", "Julien Deroo", "CCAS de Roubaix", Territory.NORD,
     ActorKind.SOCIAL_WORKER, Language.FRENCH, MembershipRole.MEMBER, 0),
    ("griet.vandenberghe@passerelle.example", "Griet Vandenberghe", "OCMW Kortrijk", Territory.WEST_VLAANDEREN,
     ActorKind.SOCIAL_WORKER, Language.DUTCH, MembershipRole.MEMBER, 0),
    ("nadia.benali@passerelle.example", "Nadia Benali", "CPAS de Mons", Territory.HAINAUT,
     ActorKind.SPECIALIST, Language.FRENCH, MembershipRole.MEMBER, 0),
    ("marc.lefebvre@passerelle.example", "Marc Lefebvre", "IRTS Hauts-de-France", Territory.PAS_DE_CALAIS,
     ActorKind.TRAINER, Language.FRENCH, MembershipRole.MEMBER, 1),
    ("pieter.desmet@passerelle.example", "Pieter De Smet", "Huurdersbond Gent", Territory.GENT,
     ActorKind.ASSOCIATION, Language.DUTCH, MembershipRole.MEMBER, 1),
    ("anne.collignon@passerelle.example", "Anne Collignon", "Haute École de Namur-Liège-Luxembourg",
     Territory.NAMUR, ActorKind.TRAINER, Language.FRENCH, MembershipRole.MEMBER, 1),
    ("lieve.maes@passerelle.example", "Lieve Maes", "CAW Zuid-West-Vlaanderen", Territory.WEST_VLAANDEREN,
     ActorKind.SPECIALIST, Language.DUTCH, MembershipRole.FACILITATOR, 1),
    ("thomas.carlier@passerelle.example", "Thomas Carlier", "Mission locale de Maubeuge", Territory.NORD,
     ActorKind.SOCIAL_WORKER, Language.FRENCH, MembershipRole.MEMBER, 1),
    ("els.verhaeghe@passerelle.example", "Els Verhaeghe", "Sociaal Verhuurkantoor Oudenaarde", Territory.OUDENAARDE,
     ActorKind.SPECIALIST, Language.DUTCH, MembershipRole.MEMBER, 0),
    ("karim.haddad@passerelle.example", "Karim Haddad", "Foyer de jeunes travailleurs d'Amiens", Territory.SOMME,
     ActorKind.ASSOCIATION, Language.FRENCH, MembershipRole.MEMBER, 0),
    ("bart.claeys@passerelle.example", "Bart Claeys", "Provincie West-Vlaanderen", Territory.WEST_VLAANDEREN,
     ActorKind.AUTHORITY, Language.DUTCH, MembershipRole.AUTHORITY, None),
]  # fmt: skip

GROUPS = [
    ("Lille – Kortrijk – Tournai",
     "Groupe transfrontalier de la métropole : CCAS, CPAS et OCMW autour des jeunes en recherche de logement."),
    ("Hainaut – Westhoek – Avesnois",
     "Werkgroep van sociaal werkers, opleiders en verenigingen uit de grensstreek."),
]  # fmt: skip
