"""Self-training: confident opinions on uncoded frames become weighted labels; coded frames never do."""

import numpy as np

from core.ml.tasks.behaviour.pseudo_labels import PseudoLabels


def test_only_confident_uncoded_frames_get_a_label():
    pseudo = PseudoLabels(1, threshold=0.9, weight=0.5, start_after=1, every=1)
    p = np.array([[0.95, 0.03, 0.02],   # confident behaviour 0, uncoded: labelled
                  [0.60, 0.30, 0.10],   # unsure: not labelled
                  [0.01, 0.97, 0.02],   # confident behaviour 1 but coded: the coder's label stands
                  [0.02, 0.03, 0.95]])  # confident "none": labelled with no behaviour on  # fmt: skip
    coded = np.array([False, False, True, False])
    assert pseudo.refresh([p], [coded], n_exclusive=2, n_outputs=2) == 2
    targets, mask = pseudo.window(0, np.arange(4))
    assert mask.tolist() == [True, False, False, True]
    assert targets[0].tolist() == [1.0, 0.0] and targets[3].tolist() == [0.0, 0.0]


def test_refreshes_start_late_and_come_every_few_passes():
    pseudo = PseudoLabels(1, 0.9, 0.5, start_after=3, every=2)
    assert [pseudo.due() for _ in range(7)] == [False, False, True, False, True, False, True]
    assert pseudo.window(0, np.arange(3)) is None  # nothing before the first refresh
