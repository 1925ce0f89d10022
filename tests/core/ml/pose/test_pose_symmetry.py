"""Left/right pairs read from node names drive mirror augmentation when a skeleton declares none."""

from __future__ import annotations

from core.ml.tasks.pose.symmetry import infer_symmetries

FLY = ("head", "thorax", "abdomen", "wingL", "wingR", "forelegL4", "forelegR4", "midlegL4", "midlegR4",
       "hindlegL4", "hindlegR4", "eyeL", "eyeR")  # SLEAP's fly clip: no symmetry declared  # fmt: skip


def test_the_fly_clips_sides_are_read_from_its_node_names():
    assert infer_symmetries(FLY) == ((3, 4), (5, 6), (7, 8), (9, 10), (11, 12))


def test_common_spellings_of_left_and_right_pair_up():
    nodes = ["left_ear", "right_ear", "nose", "Left Paw", "Right Paw", "ear_l", "ear_r", "L_hind", "R_hind", "tail"]
    assert infer_symmetries(nodes) == ((0, 1), (3, 4), (5, 6), (7, 8))


def test_names_that_do_not_mirror_each_other_stay_unpaired():
    mirror_mouse = ["paw1LH_top", "paw2LF_top", "paw3RF_top", "paw4RH_top", "nose_top", "tailBase_bot"]
    assert infer_symmetries(mirror_mouse) == ()  # LH and RH differ by their number too
    assert infer_symmetries(["snout", "leftear", "rightear", "Lower", "Rower"]) == ()
    assert infer_symmetries(["wingL", "tail"]) == ()  # no partner
