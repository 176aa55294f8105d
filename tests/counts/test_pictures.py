"""Which whole percents the distribution picture marks: those far above their neighbours, not the
top of an honest hump."""

import numpy as np

from counts.pictures import spikes


def test_a_smooth_hump_has_no_spike_even_at_its_top():
    centres = np.arange(1001) / 10
    hump = np.round(400 * np.exp(-(((centres - 55) / 8) ** 2))).astype(int)
    assert not spikes(hump).any()


def test_a_whole_percent_far_above_its_neighbours_is_a_spike():
    values = np.full(1001, 20)
    values[600] = 80  # 60.0 %
    values[700] = 30  # a little above: noise
    marked = np.nonzero(spikes(values))[0]
    assert list(marked) == [600]
