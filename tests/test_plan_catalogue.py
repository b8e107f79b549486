"""The instrument catalogue: complete, honest about simulation, kept true in the docs."""

import dataclasses
import re
from pathlib import Path

import pytest

from wijkmix.errors import InputError
from wijkmix.plan import CATALOGUE, GROUPS, catalogue_frame, instrument
from wijkmix.plan.catalogue import NOT_SIMULATED, SIM_EVENTS, SIM_RULES
from wijkmix.sim import allocation
from wijkmix.sim.events import EVENT_KINDS

ROOT = Path(__file__).resolve().parents[1]

# What the issue asks the catalogue to hold, by group (ids chosen in the catalogue).
REQUIRED = {
    "fysiek": [
        "grondbeleid",
        "voorraaddoelen",
        "sloop",
        "nieuwbouw",
        "transformatie",
        "verdichting",
        "schaal_en_korrel",
        "verkoop",
        "inponden",
        "renovatie",
    ],
    "toewijzing": [
        "leefstijlbemiddeling",
        "wbmgp_art8",
        "wbmgp_art9",
        "wbmgp_art10",
        "lokale_binding",
        "cruciale_beroepen",
        "urgentie",
        "regionale_spreiding",
        "terugkeerrecht",
        "vergunning_splitsen_kamerverhuur",
    ],
    "sociaal": [
        "gemengde_scholen",
        "lichte_contacten",
        "ontmoetingsplekken",
        "subtiele_regie",
        "verbinden_beperking",
        "wijkfonds",
    ],
    "economisch": [
        "betaalbare_werkruimte",
        "woon_werkwoningen",
        "broedplaatsen",
        "winkelplinten",
        "microkrediet",
    ],
}


@pytest.mark.parametrize(("group", "ids"), sorted(REQUIRED.items()))
def test_required_instruments_are_in_their_group(group, ids):
    for i in ids:
        assert i in CATALOGUE, i
        assert CATALOGUE[i].group == group


def test_groups_in_order_and_every_entry_in_a_group():
    assert GROUPS == ("fysiek", "toewijzing", "sociaal", "economisch")
    assert {i.group for i in CATALOGUE.values()} == set(GROUPS)
    # catalogue order keeps the groups together
    order = [i.group for i in CATALOGUE.values()]
    assert order == sorted(order, key=GROUPS.index)


def test_every_plan_event_kind_of_the_simulation_has_an_instrument():
    assert set(SIM_EVENTS) == set(EVENT_KINDS)
    covered = {i.sim_event for i in CATALOGUE.values() if i.sim_event}
    assert covered == set(EVENT_KINDS)


def test_every_sim_rule_is_a_key_or_group_of_the_allocation_rules():
    keys = {f.name for f in dataclasses.fields(allocation.AllocationRules)}
    allowed = keys | set(allocation.GROUPS)
    assert set(SIM_RULES) <= allowed
    used = {i.sim_rule for i in CATALOGUE.values() if i.sim_rule}
    assert used == set(SIM_RULES)


@pytest.mark.parametrize("ins", list(CATALOGUE.values()), ids=list(CATALOGUE))
def test_entry_is_complete_and_consistent(ins):
    for text in (ins.name, ins.what, ins.evidence, ins.legal, ins.simulation):
        assert text.strip()
        # Dutch user-facing text: no English function words
        assert not re.search(r"\b(the|and|with|which|should)\b", text), text
    # evidence in one or two sentences
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", ins.evidence.strip()) if s]
    assert 1 <= len(sentences) <= 2, ins.evidence
    assert ins.simulated == (ins.sim_event is not None or ins.sim_rule is not None)
    assert not (ins.sim_event and ins.sim_rule)
    if ins.group in ("sociaal", "economisch"):
        assert not ins.simulated
        assert ins.simulation == NOT_SIMULATED == "niet gesimuleerd: volgen met de monitor"
    if ins.physical:
        assert ins.group == "fysiek" and ins.sim_event is not None
    if ins.sim_event:
        assert ins.sim_event in ins.simulation
    if ins.sim_rule:
        assert ins.sim_rule in ins.simulation
        assert ins.group == "toewijzing"


def test_kinds_used_by_the_checks():
    kinds = {i.id: i.kind for i in CATALOGUE.values()}
    assert kinds["sloop"] == "sloop"
    assert {kinds[i] for i in ("nieuwbouw", "verdichting", "transformatie")} == {"toevoeging"}
    assert kinds["verkoop"] == "verkoop" and kinds["inponden"] == "aankoop"
    assert {kinds[i] for i in ("lokale_binding", "cruciale_beroepen")} == {"voorrang"}
    assert {kinds[i] for i in ("wbmgp_art8", "wbmgp_art9", "wbmgp_art10")} == {"wbmgp"}
    physical = {i.id for i in CATALOGUE.values() if i.physical}
    assert physical == {
        "sloop",
        "nieuwbouw",
        "transformatie",
        "verdichting",
        "verkoop",
        "inponden",
        "renovatie",
        "liberalisatie",
    }


def test_legal_bounds_state_the_limits_of_design_section_8():
    art8 = instrument("wbmgp_art8").legal
    assert "4 jaar" in art8 and "6 jaar" in art8 and "verlenging" in art8
    for i in ("wbmgp_art9", "wbmgp_art10"):
        assert "4 + 4" in instrument(i).legal
    assert "50 %" in instrument("lokale_binding").legal
    assert "25 %" in instrument("lokale_binding").legal
    assert "2024" in instrument("cruciale_beroepen").legal


def test_weak_evidence_is_said_plainly():
    assert "geen aantoonbaar effect" in instrument("wbmgp_art8").evidence
    assert "nog niet geëvalueerd" in instrument("cruciale_beroepen").evidence


def test_unknown_instrument_is_an_input_error_with_a_suggestion():
    with pytest.raises(InputError, match=r"unknown instrument.*did you mean 'sloop'"):
        instrument("slop")
    with pytest.raises(InputError, match="unknown instrument"):
        instrument(12)  # type: ignore[arg-type]


def test_catalogue_is_read_only():
    with pytest.raises(TypeError):
        CATALOGUE["x"] = CATALOGUE["sloop"]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        CATALOGUE["sloop"].simulated = False  # type: ignore[misc]


def test_catalogue_frame_has_dutch_columns_and_every_entry():
    df = catalogue_frame()
    assert list(df.columns) == [
        "id",
        "groep",
        "naam",
        "wat het doet",
        "wat we weten",
        "wettelijke grenzen",
        "gesimuleerd",
        "in de simulatie",
        "fysiek",
        "soort",
    ]
    assert df["id"].tolist() == list(CATALOGUE)
    assert df.loc[df["id"] == "sloop", "naam"].item() == "Sloop"
    assert int(df["gesimuleerd"].sum()) == sum(i.simulated for i in CATALOGUE.values())


def test_docs_list_every_instrument_by_group():
    text = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    for group in GROUPS:
        row = re.search(rf"^\| {group} \| (.*) \|$", text, re.M)
        assert row is not None, group
        listed = re.findall(r"`([a-z0-9_]+)`", row.group(1))
        assert listed == [i.id for i in CATALOGUE.values() if i.group == group]
