"""The sidebar: settings that follow the scenario, visible values, honest run buttons."""

import ipyvuetify as v
import solara

from dashboard.policy_choice import AS_IN_SCENARIO, LEARNED
from dashboard.settings import SLIDERS, Controls
from dashboard.sidebar import MarketController, SettingsPanel


def buttons(rc):
    return {b.children[0]: b for b in rc.find(v.Btn).widgets}


def select(rc, label_start):
    (found,) = [s for s in rc.find(v.Select).widgets if s.label.startswith(label_start)]
    return found


def test_choosing_a_scenario_resets_policy_and_sliders_to_its_own_values(text_of):
    controls = solara.reactive(Controls.for_scenario("paper"))
    box, rc = solara.render(SettingsPanel(controls), handle_error=False)
    assert "penalty: 30 coins/t" in text_of(box)  # the value shows before any drag
    select(rc, "government policy").v_model = "auction"
    rc.find(v.Checkbox, label="banking").widget.v_model = False
    select(rc, "scenario").v_model = "classroom"
    value = controls.value
    assert (value.penalty, value.price_ceiling, value.budget) == (200.0, 120, 690.0)
    assert value.policy == AS_IN_SCENARIO
    text = text_of(box)
    assert "penalty: 200 coins/t" in text and "price ceiling: 120 coins" in text
    assert "budget: 690 allowances" in text
    ceiling = [s for s in rc.find(v.Slider).widgets if s.label.startswith("price ceiling")]
    assert ceiling[0].v_model == 120 and ceiling[0].max >= 120


def test_the_policy_select_offers_the_learned_regulator_only_on_paper():
    controls = solara.reactive(Controls.for_scenario("paper"))
    _box, rc = solara.render(SettingsPanel(controls), handle_error=False)
    assert LEARNED in select(rc, "government policy").items
    assert "scenario" not in select(rc, "government policy").items
    select(rc, "scenario").v_model = "classroom"
    items = select(rc, "government policy").items
    assert LEARNED not in items and "scenario" not in items  # its own, listed once
    assert select(rc, "government policy").label == (
        "government policy (the scenario's own: scenario)"
    )
    assert not [mix for mix in select(rc, "firm behaviour").items if "learned" in mix]


def test_sliders_apply_only_when_asked_and_say_so():
    controls = solara.reactive(Controls.for_scenario("paper"))
    _box, rc = solara.render(SettingsPanel(controls), handle_error=False)
    sliders = [s for s in rc.find(v.Slider).widgets if not s.label.startswith("seed")]
    assert len(sliders) == len(SLIDERS) and all(s.disabled for s in sliders)
    rc.find(
        v.Checkbox, label="apply the sliders below (off: the scenario's own values)"
    ).widget.v_model = True
    sliders = [s for s in rc.find(v.Slider).widgets if not s.label.startswith("seed")]
    assert not any(s.disabled for s in sliders)
    sliders[0].v_model = 55.0
    assert controls.value.penalty == 55.0 and controls.value.market().config.penalty == 55.0


def test_a_rejected_reset_disables_play_and_step_at_once(text_of):
    market = solara.reactive(Controls().market())
    rejected = Controls.for_scenario("paper").replace(policy="scenario")  # no table in paper
    box, rc = solara.render(MarketController(market, rejected), handle_error=False)
    assert not buttons(rc)["Step"].disabled and not buttons(rc)["Play"].disabled
    buttons(rc)["Reset"].click()
    assert market.value.validation_error is not None
    assert buttons(rc)["Step"].disabled and buttons(rc)["Play"].disabled
    assert "Play and Step are off: the settings were rejected" in text_of(box)


def test_step_plays_the_chosen_rounds_and_stops_at_the_end_of_the_episode(text_of):
    market = solara.reactive(Controls.for_scenario("classroom").market())
    box, rc = solara.render(
        MarketController(market, Controls.for_scenario("classroom")), handle_error=False
    )
    rounds = [s for s in rc.find(v.Slider).widgets if s.label.startswith("rounds per update")]
    rounds[0].v_model = 50
    buttons(rc)["Step"].click()
    assert market.value.steps == 50
    cfg = market.value.config
    for _ in range(cfg.steps_per_year * cfg.years // 50 - 1):
        buttons(rc)["Step"].click()
    assert not market.value.running
    assert buttons(rc)["Step"].disabled and buttons(rc)["Play"].disabled
    assert "the episode is over" in text_of(box)
