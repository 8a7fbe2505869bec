"""`edugrad.nn.functional`: torch.nn.functional for edugrad, every layer op and loss as a function.

Top layer (`edugrad.nn`). The functions have PyTorch's names, signatures and defaults, so code written as
`F.relu(x)`, `F.conv2d(x, w, b, padding=1)` or `F.cross_entropy(logits, y, ignore_index=-1)` runs unchanged;
the layers of `edugrad.nn` call them, so each op has one implementation. Most are thin wrappers of Tensor
methods (which hold the math and their derivatives come from the Functions below them); the rest are
compositions of Tensor ops. They are grouped by topic, as the documentation of torch.nn.functional is:

- `activation`: relu and friends, gelu, softplus, glu, prelu, rrelu, softmax, log_softmax, gumbel_softmax
- `dropout`: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout
- `linear`, `sparse`: linear, bilinear; embedding, one_hot
- `conv`, `pooling`: convolutions (1-, 2- and 3-d, transposed), unfold/fold; max/avg/lp/adaptive pooling, unpool
- `normalization`: layer_norm, batch_norm, instance_norm, group_norm, rms_norm, local_response_norm
- `vision`: pad, interpolate, pixel_shuffle and the other image ops
- `distance`: normalize, cosine_similarity, pairwise_distance, pdist
- `attention`: scaled_dot_product_attention
- `loss`: every loss, with the legacy size_average and reduce arguments
"""

# The topic modules first: `dropout` and `linear` are also the names of functions, which the star imports
# then bind in this namespace in place of the modules.
from edugrad.nn.functional import (
    activation, attention, conv, distance, dropout as _dropout, linear as _linear, loss, normalization, pooling,
    sparse, vision,
)
from edugrad.nn.functional.activation import *  # noqa: F403
from edugrad.nn.functional.attention import *  # noqa: F403
from edugrad.nn.functional.conv import *  # noqa: F403
from edugrad.nn.functional.distance import *  # noqa: F403
from edugrad.nn.functional.dropout import *  # noqa: F403
from edugrad.nn.functional.linear import *  # noqa: F403
from edugrad.nn.functional.loss import *  # noqa: F403
from edugrad.nn.functional.normalization import *  # noqa: F403
from edugrad.nn.functional.pooling import *  # noqa: F403
from edugrad.nn.functional.sparse import *  # noqa: F403
from edugrad.nn.functional.vision import *  # noqa: F403

__all__: list[str] = []
__all__ += activation.__all__
__all__ += attention.__all__
__all__ += conv.__all__
__all__ += distance.__all__
__all__ += _dropout.__all__
__all__ += _linear.__all__
__all__ += loss.__all__
__all__ += normalization.__all__
__all__ += pooling.__all__
__all__ += sparse.__all__
__all__ += vision.__all__
