"""The instrument catalogue: what Dutch practice uses to mix neighbourhoods.

Every measure of a plan names an instrument from :data:`CATALOGUE`. An entry
says, in wijkmix's own (Dutch) words, what the instrument does, what is known
about its effect (honest about weak evidence), its legal bounds, and whether
and how the simulation models it:

* physical instruments map to a plan-event kind of
  :mod:`wijkmix.sim.events` (``sim_event``: demolition, new_construction,
  densification, sale, purchase, renovation, liberalisation, transformation);
* allocation instruments map to a key of the allocation rules of
  :mod:`wijkmix.sim.allocation` (``sim_rule``: article8, article9, article10,
  local_tie_share, crucial_share, right_to_return, regional_quota,
  lottery_share, urgency);
* social and economic instruments have no credible quantitative model: the
  plan holds them, the monitor follows them, and the entry says so.

The precision checks (:mod:`wijkmix.plan.checks`) use ``physical`` (does it
change the dwelling stock and so need flanking) and ``kind`` (what it does to
the stock or to allocation).

Examples
--------
>>> instrument("sloop").sim_event
'demolition'
>>> instrument("wbmgp_art8").sim_rule
'article8'
>>> instrument("ontmoetingsplekken").simulation
'niet gesimuleerd: volgen met de monitor'
>>> sorted({i.group for i in CATALOGUE.values()})
['economisch', 'fysiek', 'sociaal', 'toewijzing']
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

import pandas as pd

from wijkmix.errors import InputError

__all__ = [
    "CATALOGUE",
    "GROUPS",
    "KINDS",
    "NOT_SIMULATED",
    "SIM_EVENTS",
    "SIM_RULES",
    "Instrument",
    "catalogue_frame",
    "instrument",
]

Group = Literal["fysiek", "toewijzing", "sociaal", "economisch"]
Kind = Literal[
    "sloop",
    "toevoeging",
    "verkoop",
    "aankoop",
    "renovatie",
    "liberalisatie",
    "voorraadbeleid",
    "voorrang",
    "wbmgp",
    "toewijzing",
    "sociaal",
    "economisch",
]

#: The groups, in catalogue order.
GROUPS: tuple[str, ...] = ("fysiek", "toewijzing", "sociaal", "economisch")
#: What an instrument does, for the checks: ``sloop`` removes dwellings,
#: ``toevoeging`` adds them, ``verkoop``/``liberalisatie`` take them out of
#: social rent, ``aankoop`` brings them in, ``voorrang`` is a priority share of
#: the supply, ``wbmgp`` a designation under the Wbmgp.
KINDS: tuple[str, ...] = (
    "sloop",
    "toevoeging",
    "verkoop",
    "aankoop",
    "renovatie",
    "liberalisatie",
    "voorraadbeleid",
    "voorrang",
    "wbmgp",
    "toewijzing",
    "sociaal",
    "economisch",
)
#: Plan-event kinds of :mod:`wijkmix.sim.events`.
SIM_EVENTS: tuple[str, ...] = (
    "demolition",
    "new_construction",
    "densification",
    "sale",
    "purchase",
    "renovation",
    "liberalisation",
    "transformation",
)
#: Keys of the allocation rules of :mod:`wijkmix.sim.allocation`.
SIM_RULES: tuple[str, ...] = (
    "article8",
    "article9",
    "article10",
    "local_tie_share",
    "crucial_share",
    "right_to_return",
    "regional_quota",
    "lottery_share",
    "urgency",
)
#: What every social and economic entry says about the simulation.
NOT_SIMULATED = "niet gesimuleerd: volgen met de monitor"


@dataclass(frozen=True)
class Instrument:
    """One instrument of the catalogue.

    Attributes
    ----------
    id : str
        Identifier used in a plan's ``measures[].instrument``.
    group : {'fysiek', 'toewijzing', 'sociaal', 'economisch'}
    name : str
        Dutch name.
    what : str
        What it does (Dutch).
    evidence : str
        What is known about its effect, in one or two sentences (Dutch).
    legal : str
        Legal bounds (Dutch).
    simulated : bool
        Whether the microsimulation models it.
    sim_event : str or None
        The plan-event kind it becomes in the simulation.
    sim_rule : str or None
        The allocation-rule key it sets in the simulation.
    simulation : str
        How the simulation treats it (Dutch).
    physical : bool
        Whether it changes the dwelling stock (and so needs social or economic
        flanking).
    kind : str
        One of :data:`KINDS`.
    """

    id: str
    group: Group
    name: str
    what: str
    evidence: str
    legal: str
    simulated: bool
    sim_event: str | None
    sim_rule: str | None
    simulation: str
    physical: bool
    kind: Kind

    def __post_init__(self) -> None:
        if self.group not in GROUPS or self.kind not in KINDS:
            raise ValueError(f"catalogue entry {self.id}: bad group or kind")
        if self.sim_event is not None and self.sim_event not in SIM_EVENTS:
            raise ValueError(f"catalogue entry {self.id}: unknown sim_event {self.sim_event}")
        if self.sim_rule is not None and self.sim_rule not in SIM_RULES:
            raise ValueError(f"catalogue entry {self.id}: unknown sim_rule {self.sim_rule}")
        if self.simulated != (self.sim_event is not None or self.sim_rule is not None):
            raise ValueError(f"catalogue entry {self.id}: simulated without event or rule")


def _entry(
    *,
    id: str,
    group: Group,
    name: str,
    what: str,
    evidence: str,
    legal: str,
    physical: bool,
    kind: Kind,
    event: str | None = None,
    rule: str | None = None,
    how: str = NOT_SIMULATED,
) -> Instrument:
    return Instrument(
        id=id,
        group=group,
        name=name,
        what=what,
        evidence=evidence,
        legal=legal,
        simulated=event is not None or rule is not None,
        sim_event=event,
        sim_rule=rule,
        simulation=how,
        physical=physical,
        kind=kind,
    )


_NOT_DIRECT = (
    "niet rechtstreeks gesimuleerd: leg de gevolgen vast als sloop-, nieuwbouw-, "
    "verkoop- of toewijzingsmaatregelen; volgen met de monitor"
)

_ENTRIES: tuple[Instrument, ...] = (
    # --- fysiek -----------------------------------------------------------------------
    _entry(
        id="grondbeleid",
        group="fysiek",
        name="Grondbeleid",
        what="De gemeente stuurt met gronduitgifte, erfpacht, anterieure overeenkomsten en "
        "het omgevingsplan op het programma van nieuwe woningen: hoeveel sociale huur, "
        "middenhuur en koop er op een locatie komt.",
        evidence="Het sterkste middel om de mix van nieuwbouw vast te leggen, mits de "
        "afspraken worden gehandhaafd; over het effect op de bewoners zelf zegt het niets.",
        legal="Omgevingswet (sinds 2024; daarvoor Wro/Bro): het omgevingsplan kan "
        "woningbouwcategorieën (sociale huur, middenhuur, sociale koop) met percentages "
        "voorschrijven; kostenverhaal en anterieure overeenkomst binnen de wettelijke regels.",
        physical=False,
        kind="voorraadbeleid",
        how=_NOT_DIRECT,
    ),
    _entry(
        id="voorraaddoelen",
        group="fysiek",
        name="Voorraaddoelen per gebied en compensatie elders",
        what="Per gebied een doel voor de woningvoorraad naar segment (bijvoorbeeld minder "
        "sociale huur in een wijk met veel corporatiebezit) en compensatie van de "
        "verdwenen sociale huur in andere wijken of gemeenten van de regio.",
        evidence="Zonder compensatie krimpt het regionale aanbod en lopen wachttijden op; "
        "of compensatie elders de kansen van lage inkomens gelijk houdt, hangt af van "
        "waar en wanneer die woningen er komen.",
        legal="Woningwet: prestatieafspraken tussen gemeente, corporaties en huurders; "
        "landelijk streven van ten minste 30 % sociale huur per gemeente (nationale "
        "prestatieafspraken); regionale woonafspraken.",
        physical=False,
        kind="voorraadbeleid",
        how=_NOT_DIRECT,
    ),
    _entry(
        id="sloop",
        group="fysiek",
        name="Sloop",
        what="Woningen (meestal sociale huur) worden gesloopt; de bewoners moeten verhuizen "
        "en krijgen urgentie en vaak een terugkeerrecht.",
        evidence="Verandert de samenstelling van een wijk vooral doordat andere huishoudens "
        "terugkomen, niet doordat het de zittende bewoners beter gaat; "
        "verdringing naar nabije wijken (waterbedeffect) is aangetoond maar gemiddeld beperkt.",
        legal="Burgerlijk Wetboek: huuropzegging wegens dringend eigen gebruik (renovatie die "
        "zonder beëindiging van de huur niet kan), wettelijke minimumvergoeding voor "
        "verhuis- en inrichtingskosten (art. 7:220 BW, jaarlijks geïndexeerd); sociaal "
        "plan met de huurdersorganisatie (Overlegwet).",
        physical=True,
        kind="sloop",
        event="demolition",
        how="gesimuleerd als plangebeurtenis 'demolition': bewoners worden urgent "
        "woningzoekend met terugkeerrecht",
    ),
    _entry(
        id="nieuwbouw",
        group="fysiek",
        name="Nieuwbouw",
        what="Nieuwe woningen met een gekozen segmentmix (sociale huur, middenhuur, vrije "
        "huur, betaalbare en dure koop).",
        evidence="Trekt nieuwe (vaak hogere) inkomens en kan wooncarrière in de wijk mogelijk "
        "maken; menging van eigendomsvormen leidt maar beperkt tot contact tussen "
        "bewonersgroepen.",
        legal="Omgevingswet (omgevingsplan, omgevingsvergunning bouwactiviteit); "
        "woningbouwcategorieën in het omgevingsplan; prijsgrenzen van sociale huur en "
        "middenhuur (Wet betaalbare huur, sinds 1 juli 2024).",
        physical=True,
        kind="toevoeging",
        event="new_construction",
        how="gesimuleerd als plangebeurtenis 'new_construction': lege woningen met de "
        "opgegeven mix in het opleverjaar",
    ),
    _entry(
        id="transformatie",
        group="fysiek",
        name="Transformatie",
        what="Kantoren, winkels of maatschappelijk vastgoed worden woningen, vaak kleine "
        "woningen voor starters, studenten of ouderen.",
        evidence="Voegt woningen toe zonder sloop en dus zonder gedwongen verhuizingen; "
        "kleine woningen trekken vooral jonge eenpersoonshuishoudens, wat de menging "
        "eenzijdig kan maken.",
        legal="Omgevingswet: omgevingsplan (functiewijziging) en omgevingsvergunning; "
        "bouwkwaliteit volgens het Besluit bouwwerken leefomgeving.",
        physical=True,
        kind="toevoeging",
        event="transformation",
        how="gesimuleerd als plangebeurtenis 'transformation': nieuwe woningen zonder sloop",
    ),
    _entry(
        id="verdichting",
        group="fysiek",
        name="Verdichting",
        what="Extra woningen binnen het bestaande gebied: optoppen, bouwen op "
        "parkeerterreinen en restgroen, splitsen van grote woningen.",
        evidence="Menging op kleine schaal (complex, straat) is mogelijk; effect op "
        "samenleven is weinig onderzocht, druk op voorzieningen en groen is een bekend "
        "risico.",
        legal="Omgevingswet: omgevingsplan en omgevingsvergunning; bij splitsen ook de "
        "splitsingsvergunning van de huisvestingsverordening.",
        physical=True,
        kind="toevoeging",
        event="densification",
        how="gesimuleerd als plangebeurtenis 'densification': een aantal of aandeel "
        "extra woningen in het gebied",
    ),
    _entry(
        id="schaal_en_korrel",
        group="fysiek",
        name="Schaal en korrel van menging",
        what="De keuze op welk schaalniveau gemengd wordt: per portiek, complex, straat, "
        "buurt of wijk, en hoe groot de blokken van één segment zijn.",
        evidence="Onderzoek laat zien dat de schaal uitmaakt (menging op buurtniveau geeft "
        "weinig contact, op portiekniveau soms wrijving), maar er is geen eenduidig "
        "beste korrel.",
        legal="Geen eigen wettelijk kader; vastgelegd via omgevingsplan, grondbeleid en "
        "prestatieafspraken.",
        physical=False,
        kind="voorraadbeleid",
        how=(
            "niet als apart instrument gesimuleerd: de korrel volgt uit het niveau "
            "(complex, straat, buurt) van de sloop- en nieuwbouwmaatregelen"
        ),
    ),
    _entry(
        id="verkoop",
        group="fysiek",
        name="Verkoop van sociale huur (uitponden)",
        what="De corporatie verkoopt sociale huurwoningen, bij mutatie (leeg) of aan de "
        "zittende huurder.",
        evidence="Verhoogt het aandeel koop en laat sociale stijgers in de wijk blijven; "
        "gemengd eigendom in één complex geeft bekende problemen met onderhoud en zwakke "
        "VvE's.",
        legal="Woningwet en BTIV 2015: regels voor vervreemding door toegelaten "
        "instellingen (minimumprijs, voorrang voor huurders); opkoopbescherming van de "
        "Huisvestingswet (sinds 2022) kan zelfbewoning eisen.",
        physical=True,
        kind="verkoop",
        event="sale",
        how="gesimuleerd als plangebeurtenis 'sale': sociale huur wordt koop, bij "
        "mutatie of aan de zittende huurder",
    ),
    _entry(
        id="inponden",
        group="fysiek",
        name="Inponden (aankoop door de corporatie)",
        what="De corporatie koopt particuliere woningen (vaak van beleggers) en verhuurt "
        "ze als sociale of middenhuur.",
        evidence="Weinig onderzocht; duur per woning, maar het kan verloedering door "
        "slecht verhuurbeheer keren en sociale huur toevoegen waar die schaars is.",
        legal="Woningwet: aankoop past binnen de DAEB-taak van de corporatie; "
        "financiering onder toezicht van de Autoriteit woningcorporaties.",
        physical=True,
        kind="aankoop",
        event="purchase",
        how="gesimuleerd als plangebeurtenis 'purchase': particuliere woningen worden "
        "corporatiebezit",
    ),
    _entry(
        id="renovatie",
        group="fysiek",
        name="Renovatie",
        what="Ingrijpende verbetering van bestaande woningen; bewoners verhuizen tijdelijk "
        "(wisselwoning) of blijven wonen.",
        evidence="Verbetert woningkwaliteit en vaak de tevredenheid; de samenstelling "
        "verandert weinig, tenzij de huur na renovatie flink stijgt.",
        legal="Burgerlijk Wetboek: renovatievoorstel (instemming van 70 % van de huurders "
        "bij complexgewijze renovatie, art. 7:220 BW), huurverhoging binnen het "
        "woningwaarderingsstelsel; sociaal plan.",
        physical=True,
        kind="renovatie",
        event="renovation",
        how="gesimuleerd als plangebeurtenis 'renovation': tijdelijke verhuizing en "
        "terugkeer, eventueel hogere huur",
    ),
    _entry(
        id="liberalisatie",
        group="fysiek",
        name="Liberalisatie (van sociale huur naar middenhuur)",
        what="Bij mutatie wordt een sociale huurwoning verhuurd in het middensegment of "
        "de vrije sector.",
        evidence="Verkleint de sociale voorraad en verandert de instroom geleidelijk; "
        "het tempo hangt af van de mutatiegraad (landelijk ongeveer 7 % per jaar).",
        legal="Huurrecht: woningwaarderingsstelsel; sinds de Wet betaalbare huur "
        "(1 juli 2024) is het middensegment (144–186 punten) gereguleerd.",
        physical=True,
        kind="liberalisatie",
        event="liberalisation",
        how="gesimuleerd als plangebeurtenis 'liberalisation': lege sociale huur wordt "
        "middenhuur of vrije huur",
    ),
    # --- toewijzing -------------------------------------------------------------------
    _entry(
        id="leefstijlbemiddeling",
        group="toewijzing",
        name="Leefstijl- en screeningsbemiddeling",
        what="De corporatie voert kennismakingsgesprekken en bemiddelt op leefstijl of "
        "woonwensen, zodat nieuwe bewoners passen bij de portiek of het complex.",
        evidence="Vooral praktijkervaring; geen betrouwbare meting van effect op "
        "leefbaarheid, wel risico op uitsluiting van kwetsbare woningzoekenden.",
        legal="Alleen binnen de huisvestingsverordening en de gelijkebehandelingswetgeving; "
        "weigeren op gedrag kan wettelijk alleen via Wbmgp art. 10 in aangewezen gebieden.",
        physical=False,
        kind="toewijzing",
    ),
    _entry(
        id="wbmgp_art8",
        group="toewijzing",
        name="Wbmgp artikel 8: inkomenseis in aangewezen gebieden",
        what="In aangewezen complexen, straten of gebieden krijgen woningzoekenden die korter "
        "dan zes jaar in de regio wonen alleen een vergunning met inkomen uit werk, "
        "pensioen of studiefinanciering.",
        evidence="Evaluaties vonden geen aantoonbaar effect op leefbaarheid of veiligheid; "
        "wel worden woningzoekenden zonder werk naar andere wijken verschoven.",
        legal="Wbmgp: aanwijzing door de minister op verzoek van de gemeente, alleen "
        "complexen, straten of gebieden, ten hoogste 4 jaar met één verlenging van ten "
        "hoogste 4 jaar; geldt voor wie korter dan 6 jaar in de regio woont.",
        physical=False,
        kind="wbmgp",
        rule="article8",
        how="gesimuleerd als toewijzingsregel 'article8': inkomenseis voor wie korter "
        "dan zes jaar in de regio woont",
    ),
    _entry(
        id="wbmgp_art9",
        group="toewijzing",
        name="Wbmgp artikel 9: voorrang op sociaal-economische kenmerken",
        what="In aangewezen gebieden voorrang voor woningzoekenden met een bepaald profiel "
        "(bijvoorbeeld werkend of met een opleiding die de wijk nodig heeft).",
        evidence="Weinig toegepast en nauwelijks geëvalueerd; het effect op de wijk is onbekend.",
        legal="Wbmgp: alleen in aangewezen complexen, straten of gebieden, ten hoogste 4 + 4 "
        "jaar; de kenmerken staan in de huisvestingsverordening.",
        physical=False,
        kind="wbmgp",
        rule="article9",
        how="gesimuleerd als toewijzingsregel 'article9': voorrang voor een profiel op "
        "een aandeel van het aanbod",
    ),
    _entry(
        id="wbmgp_art10",
        group="toewijzing",
        name="Wbmgp artikel 10: screening op overlast en criminaliteit",
        what="In aangewezen gebieden kan de gemeente een huisvestingsvergunning weigeren aan "
        "woningzoekenden met een geschiedenis van overlast of criminaliteit.",
        evidence="Het aantal weigeringen is klein; een effect op leefbaarheid is niet "
        "aangetoond en de geweigerden komen elders terecht.",
        legal="Wbmgp: alleen in aangewezen gebieden, ten hoogste 4 + 4 jaar, op grond van "
        "politiegegevens; proportionaliteit en privacy (AVG) gelden.",
        physical=False,
        kind="wbmgp",
        rule="article10",
        how="gesimuleerd als toewijzingsregel 'article10': een aandeel van de gemarkeerde "
        "woningzoekenden wordt geweigerd (effect op wie binnenkomt, niet de rechtsgrond)",
    ),
    _entry(
        id="lokale_binding",
        group="toewijzing",
        name="Voorrang voor lokale binding",
        what="Een deel van het vrijkomende aanbod gaat met voorrang naar woningzoekenden met "
        "economische, maatschappelijke of lokale binding (bijvoorbeeld kinderen van "
        "bewoners).",
        evidence="Helpt jongeren en sociale stijgers in de wijk te blijven; verkleint de "
        "kansen van woningzoekenden van buiten en kan bestaande concentraties bestendigen.",
        legal="Huisvestingswet 2014 art. 14: voorrang voor binding en cruciale beroepen "
        "samen ten hoogste 50 % van het aanbod (sinds 2024); tot 2024 ten hoogste 25 % "
        "voor binding aan de gemeente zelf; maatschappelijke binding = ten minste 6 jaar "
        "ingezetene.",
        physical=False,
        kind="voorrang",
        rule="local_tie_share",
        how="gesimuleerd als toewijzingsregel 'local_tie_share': aandeel van het aanbod "
        "met voorrang voor binding",
    ),
    _entry(
        id="cruciale_beroepen",
        group="toewijzing",
        name="Voorrang voor cruciale beroepen",
        what="Een deel van het aanbod gaat met voorrang naar mensen in beroepen die de "
        "gemeente aanwijst (zorg, onderwijs, politie).",
        evidence="Sinds 2024 mogelijk; nog niet geëvalueerd.",
        legal="Huisvestingswet 2014 art. 14 (sinds 1 januari 2024): samen met voorrang voor "
        "binding ten hoogste 50 % van het aanbod; vóór 2024 geen wettelijke grond.",
        physical=False,
        kind="voorrang",
        rule="crucial_share",
        how="gesimuleerd als toewijzingsregel 'crucial_share': aandeel van het aanbod "
        "met voorrang voor cruciale beroepen",
    ),
    _entry(
        id="urgentie",
        group="toewijzing",
        name="Urgentie",
        what="Voorrang voor woningzoekenden in een noodsituatie, waaronder bewoners van "
        "sloopwoningen (sloopurgentie).",
        evidence="Onmisbaar vangnet; urgenten komen vaak terecht waar het meeste aanbod "
        "vrijkomt, wat kwetsbare huishoudens kan concentreren.",
        legal="Huisvestingswet 2014: urgentieregeling in de huisvestingsverordening; "
        "sloopurgentie via het sociaal plan.",
        physical=False,
        kind="toewijzing",
        rule="urgency",
        how="gesimuleerd als groep 'urgency' in de volgorde van toewijzing: urgenten gaan voor",
    ),
    _entry(
        id="regionale_spreiding",
        group="toewijzing",
        name="Regionale spreiding van urgente en kwetsbare woningzoekenden",
        what="Afspraken die urgente en kwetsbare woningzoekenden (uitstroom uit zorg en "
        "opvang, statushouders) over buurten en gemeenten spreiden.",
        evidence="Bedoeld tegen concentratie; het effect is weinig gemeten en hangt af van "
        "of alle gemeenten meedoen.",
        legal="Huisvestingswet 2014 (taakstelling statushouders) en regionale afspraken; "
        "spreiding mag urgenten niet uitsluiten.",
        physical=False,
        kind="toewijzing",
        rule="regional_quota",
        how="gesimuleerd als toewijzingsregel 'regional_quota': ten hoogste dit aandeel "
        "van het aanbod van een buurt naar urgente of kwetsbare woningzoekenden",
    ),
    _entry(
        id="terugkeerrecht",
        group="toewijzing",
        name="Terugkeerrecht",
        what="Bewoners van gesloopte of gerenoveerde woningen krijgen voorrang op een "
        "nieuwe woning in hun complex of buurt.",
        evidence="Een deel van de bewoners maakt er gebruik van; velen verhuizen liever "
        "meteen door, het gebruik wisselt sterk per project.",
        legal="Geen wettelijk recht: afspraak in het sociaal plan met de "
        "huurdersorganisatie en in de huisvestingsverordening.",
        physical=False,
        kind="toewijzing",
        rule="right_to_return",
        how="gesimuleerd als toewijzingsregel 'right_to_return': terugkeerders gaan "
        "voor in hun complex of buurt",
    ),
    _entry(
        id="loting",
        group="toewijzing",
        name="Loting",
        what="Een deel van het aanbod wordt verloot onder alle woningzoekenden die "
        "reageren, los van inschrijfduur.",
        evidence="Geeft starters en spoedzoekers een kans; stuurt niet op menging.",
        legal="Toegestaan binnen de huisvestingsverordening en de regionale woonruimteverdeling.",
        physical=False,
        kind="toewijzing",
        rule="lottery_share",
        how="gesimuleerd als toewijzingsregel 'lottery_share': aandeel van het aanbod bij loting",
    ),
    _entry(
        id="vergunning_splitsen_kamerverhuur",
        group="toewijzing",
        name="Vergunningen tegen splitsen en kamerverhuur",
        what="Een vergunningplicht voor het splitsen van woningen en voor omzetting naar "
        "kamerverhuur, die geweigerd kan worden om de leefbaarheid te beschermen.",
        evidence="Remt de groei van kamerverhuur in druk gebieden; het effect hangt af van "
        "handhaving.",
        legal="Huisvestingswet 2014: splitsings- en omzettingsvergunning in de "
        "huisvestingsverordening; weigeren op grond van leefbaarheid of behoud van de "
        "woonruimtevoorraad.",
        physical=False,
        kind="voorraadbeleid",
    ),
    # --- sociaal ----------------------------------------------------------------------
    _entry(
        id="gemengde_scholen",
        group="sociaal",
        name="Gemengde scholen",
        what="Ouderinitiatieven, centrale aanmelding en voorrangsregels die kinderen uit "
        "verschillende groepen op dezelfde scholen brengen.",
        evidence="Scholen zijn sterker gescheiden dan wijken; centrale aanmelding kan de "
        "scheiding wat verminderen, de effecten zijn bescheiden en lokaal onderzocht.",
        legal="Vrijheid van onderwijs en schoolkeuze; aanmeldbeleid in afspraken tussen "
        "schoolbesturen en gemeente.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="lichte_contacten",
        group="sociaal",
        name="Lichte en nabije contacten",
        what="Gelegenheden voor groeten, een praatje en bekende gezichten: "
        "gemeenschappelijke tuinen, entrees, speelplekken, buurtactiviteiten.",
        evidence="Lichte contacten geven vertrouwdheid en een gevoel van veiligheid "
        "(publieke familiariteit); sterke banden tussen groepen ontstaan er zelden uit.",
        legal="Geen wettelijk kader.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="ontmoetingsplekken",
        group="sociaal",
        name="Ontmoetingsplekken",
        what="Buurthuis, huiskamer van de wijk, bibliotheek, sportplek of plein waar "
        "bewoners elkaar tegenkomen.",
        evidence="Goed bezochte plekken dragen bij aan lichte contacten; bezoekers zijn vaak "
        "dezelfde groep, menging vraagt om actief programmeren.",
        legal="Geen wettelijk kader; Wmo en welzijnssubsidies voor beheer en activiteiten.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="subtiele_regie",
        group="sociaal",
        name="Subtiele regie en sleutelfiguren",
        what="Professionals en sleutelfiguren (conciërges, buurtcoaches, actieve bewoners) "
        "die contacten leggen, spanningen vroeg opmerken en bewoners verbinden.",
        evidence="Praktijkkennis wijst op belang; effectonderzoek is schaars.",
        legal="Geen wettelijk kader; welzijnswerk binnen Wmo-opdrachten.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="verbinden_beperking",
        group="sociaal",
        name="Verbinden van mensen met en zonder beperking",
        what="Begeleiding en ontmoeting rond bewoners die uit zorginstellingen of opvang in "
        "de wijk komen wonen, zodat ze niet geïsoleerd raken en buren weten bij wie ze "
        "terechtkunnen.",
        evidence="Praktijkvoorbeelden laten minder overlast en eenzaamheid zien; "
        "systematisch effectonderzoek ontbreekt, concentratie van uitstroom blijft een risico.",
        legal="Wmo 2015 en Wet langdurige zorg voor de begeleiding; privacy van de "
        "bewoners gaat voor.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="wijkfonds",
        group="sociaal",
        name="Zelforganisatie en wijkfonds",
        what="Bewoners beslissen zelf over een buurtbudget of wijkfonds en organiseren "
        "activiteiten en voorzieningen.",
        evidence="Versterkt eigenaarschap bij de deelnemers; bereikt vaak de al actieve "
        "bewoners, het effect op menging is niet gemeten.",
        legal="Subsidieregels van de gemeente; 'right to challenge' en buurtrechten waar de "
        "gemeente die kent.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="sociaal_plan",
        group="sociaal",
        name="Sociaal plan en begeleiding bij herhuisvesting",
        what="Persoonlijke begeleiding van bewoners die door sloop of renovatie moeten "
        "verhuizen: wensen in kaart, hulp bij zoeken, aandacht voor kwetsbare huishoudens.",
        evidence="Goede begeleiding vergroot de tevredenheid van vertrekkers; hoeveel "
        "verdringing het voorkomt is niet goed gemeten.",
        legal="Overlegwet: sociaal plan met de huurdersorganisatie; vergoeding van "
        "verhuiskosten volgens art. 7:220 BW.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="welkom_nieuwkomers",
        group="sociaal",
        name="Welkom voor nieuwkomers",
        what="Kennismaking, welkomstpakket en buurtmaatje voor nieuwe bewoners.",
        evidence="Eenvoudig en goedkoop; effect op binding aan de buurt is niet gemeten.",
        legal="Geen wettelijk kader; let op privacy bij het delen van verhuisgegevens.",
        physical=False,
        kind="sociaal",
    ),
    _entry(
        id="buurtbemiddeling",
        group="sociaal",
        name="Buurtbemiddeling",
        what="Getrainde vrijwilligers helpen buren burenruzies zelf op te lossen.",
        evidence="Evaluaties rapporteren dat een groot deel van de zaken tot een oplossing "
        "leidt; effect op de buurt als geheel is niet gemeten.",
        legal="Geen wettelijk kader; vrijwillige deelname.",
        physical=False,
        kind="sociaal",
    ),
    # --- economisch -------------------------------------------------------------------
    _entry(
        id="betaalbare_werkruimte",
        group="economisch",
        name="Betaalbare werkruimte",
        what="Kleine, goedkope bedrijfsruimtes voor ondernemers uit de wijk, vaak in plinten "
        "van nieuwbouw of leegstaand vastgoed.",
        evidence="Houdt kleine ondernemers in de wijk; effect op werkgelegenheid van "
        "bewoners is weinig onderzocht.",
        legal="Omgevingsplan (functie bedrijfsruimte); huurrecht bedrijfsruimte "
        "(art. 7:290 of 7:230a BW).",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="woon_werkwoningen",
        group="economisch",
        name="Woon-werkwoningen",
        what="Woningen met een werkruimte aan de straat voor ondernemers die wonen en "
        "werken combineren.",
        evidence="Kleinschalig toegepast; levendigheid op straat is het doel, effect is "
        "niet gemeten.",
        legal="Omgevingsplan (gemengde functie); huurrecht woonruimte en bedrijfsruimte.",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="broedplaatsen",
        group="economisch",
        name="Broedplaatsen",
        what="Tijdelijke of vaste ateliers en werkplaatsen voor makers en starters tegen "
        "lage huur.",
        evidence="Kan een wijk levendiger maken; kan ook een voorbode zijn van stijgende "
        "prijzen en verdringing.",
        legal="Omgevingsplan (tijdelijke functie); leegstandsbeheer binnen de regels van de "
        "Leegstandwet.",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="winkelplinten",
        group="economisch",
        name="Winkelplinten en levendige plinten",
        what="Een plintenstrategie: bedrijfsruimtes op de begane grond concentreren, "
        "leegstand bestrijden, een goede mix van winkels, horeca en voorzieningen.",
        evidence="Praktijkervaring wijst op minder leegstand en meer levendigheid als "
        "eigenaren meedoen; effect op leefbaarheid is weinig gemeten.",
        legal="Omgevingsplan (functies en branchering binnen de grenzen van de "
        "Dienstenrichtlijn); eventueel een bedrijveninvesteringszone (Wet op de BIZ).",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="microkrediet",
        group="economisch",
        name="Microkrediet en ondernemersbegeleiding",
        what="Kleine leningen en coaching voor starters uit de wijk die bij een bank geen "
        "krediet krijgen.",
        evidence="Evaluaties tonen bescheiden effecten op het voortbestaan van "
        "bedrijven; een effect op de wijk is niet aangetoond.",
        legal="Financieel toezicht (Wft) voor de kredietverlener; gemeentelijke "
        "subsidie- of garantieregeling.",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="social_return",
        group="economisch",
        name="Social return bij sloop en bouw",
        what="Aannemers zetten een deel van de loonsom in voor werk, stages en "
        "leerwerkplekken voor bewoners met afstand tot de arbeidsmarkt.",
        evidence="Levert plaatsingen op, maar veel ervan zijn kort; duurzaam werk voor "
        "bewoners is lastig aan te tonen.",
        legal="Aanbestedingswet 2012 (sociale voorwaarden, proportionaliteit); afspraken in "
        "het contract.",
        physical=False,
        kind="economisch",
    ),
    _entry(
        id="ondernemersfonds",
        group="economisch",
        name="Ondernemersfonds en bedrijveninvesteringszone",
        what="Ondernemers in een winkelgebied of bedrijvenstrook betalen samen mee aan "
        "schoon, heel, veilig en promotie.",
        evidence="Versterkt samenwerking van ondernemers; effect op de wijk is weinig onderzocht.",
        legal="Wet op de bedrijveninvesteringszones (draagvlakmeting onder ondernemers); "
        "gemeentelijke verordening.",
        physical=False,
        kind="economisch",
    ),
)

#: The catalogue: instrument id → :class:`Instrument`, in catalogue order.
CATALOGUE: Mapping[str, Instrument] = MappingProxyType({i.id: i for i in _ENTRIES})
if len(CATALOGUE) != len(_ENTRIES):  # pragma: no cover - guards the table above
    raise ValueError("duplicate instrument id in the catalogue")


def instrument(instrument_id: str) -> Instrument:
    """Return the instrument called ``instrument_id``.

    Raises
    ------
    InputError
        If the catalogue has no such instrument (with the closest id as hint).

    Examples
    --------
    >>> instrument("nieuwbouw").name
    'Nieuwbouw'
    >>> instrument("nieuwbouww")
    Traceback (most recent call last):
    ...
    wijkmix.errors.InputError: unknown instrument in field 'instrument': ... Hint: did you mean 'nieuwbouw'?
    """  # noqa: E501
    try:
        return CATALOGUE[instrument_id]
    except (KeyError, TypeError):
        close = difflib.get_close_matches(str(instrument_id), list(CATALOGUE), n=1)
        raise InputError(
            "unknown instrument",
            where="instrument",
            expected="an id from the instrument catalogue",
            found=instrument_id,
            hint=f"did you mean '{close[0]}'?" if close else "see wijkmix.plan.CATALOGUE",
        ) from None


_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "id": "id",
        "group": "groep",
        "name": "naam",
        "what": "wat het doet",
        "evidence": "wat we weten",
        "legal": "wettelijke grenzen",
        "simulated": "gesimuleerd",
        "simulation": "in de simulatie",
        "physical": "fysiek",
        "kind": "soort",
    }
)


def catalogue_frame() -> pd.DataFrame:
    """The catalogue as a table with Dutch column names, in catalogue order.

    >>> catalogue_frame().columns[:3].tolist()
    ['id', 'groep', 'naam']
    """
    rows = [{dutch: getattr(i, attr) for attr, dutch in _COLUMNS.items()} for i in _ENTRIES]
    return pd.DataFrame(rows, columns=list(_COLUMNS.values()))
