"""The course's numpy reference implementation (instructors only; students never import it).

Notation, fixed for the whole course (also in course/00_overview_and_notation.ipynb):

Batch-first row vectors. N is the batch size, T the number of time steps, D the number
of input features, H the number of hidden units. One step's input x_t has shape (N, D),
a hidden state h_t (and an LSTM cell state c_t) shape (N, H); whole sequences are
x of shape (N, T, D) and h of shape (N, T, H). ``*`` is the elementwise product.

- RNN:  h_t = tanh(x_t Wx + h_{t-1} Wh + b), with Wx (D, H), Wh (H, H), b (H,).
- LSTM: a = x_t Wx + h_{t-1} Wh + b with Wx (D, 4H), Wh (H, 4H), b (4H,), split in
  PyTorch's block order i, f, g, o:
      i = sigmoid(a_i), f = sigmoid(a_f), g = tanh(a_g), o = sigmoid(a_o)
      c_t = f * c_{t-1} + i * g
      h_t = o * tanh(c_t)
- GRU (the notes' convention, the form of Chung et al. 2014; Cho et al. 2014 and Keras
  with reset_after=False exchange z and 1 - z): blocks r, z, n of Wx (D, 3H),
  Wh (H, 3H), b (3H,):
      r = sigmoid(x_t Wx_r + h_{t-1} Wh_r + b_r)
      z = sigmoid(x_t Wx_z + h_{t-1} Wh_z + b_z)
      n = tanh(x_t Wx_n + (r * h_{t-1}) Wh_n + b_n)
      h_t = (1 - z) * h_{t-1} + z * n
- PyTorch's GRU (``gru_step_forward_pytorch``): separate biases bx, bh of shape (3H,),
      n = tanh(x_t Wx_n + bx_n + r * (h_{t-1} Wh_n + bh_n)),  h_t = (1 - z) * n + z * h_{t-1}.

Mapping to other notations:
- The notes write W . [h_{t-1}, x_t] + b with a column vector and W of shape (H, H + D)
  (per gate block for LSTM and GRU). That equals x_t Wx + h_{t-1} Wh + b for
  W = [Wh^T | Wx^T], i.e. Wh = W[:, :H].T and Wx = W[:, H:].T.
- PyTorch stores W_ih = Wx.T of shape (kH, D) and W_hh = Wh.T of shape (kH, H) with
  two biases; for RNN and LSTM b = b_ih + b_hh. For PyTorch's GRU the biases cannot be
  merged: b_hh's n block sits inside the reset r * (...).

Modules: activations, rnn, lstm, gru, clipping, optim (Adam),
architectures, layers (embedding, dropout), classifier (the notes' SequenceClassifier),
initial_state (learned h0 and c0), params, worked_examples, variants. Every public name is re-exported here.
"""
from .activations import dsigmoid, drelu, dtanh, relu, sigmoid, softmax, tanh
from .clipping import clip_by_global_norm
from .optim import adam_update
from .gru import (gru_backward, gru_forward, gru_state_update, gru_step_backward, gru_step_forward,
                  gru_step_forward_pytorch)
from .lstm import (lstm_backward, lstm_coupled_step_forward, lstm_forward, lstm_peephole_step_forward,
                   lstm_state_update, lstm_step_backward, lstm_step_forward)
from .rnn import output_forward, rnn_backward, rnn_forward, rnn_step_backward, rnn_step_forward

from .architectures import *  # noqa: F401,F403  (each module lists its public names in __all__)
from .layers import *  # noqa: F401,F403
from .classifier import *  # noqa: F401,F403
from .initial_state import *  # noqa: F401,F403
from .params import *  # noqa: F401,F403
from .worked_examples import *  # noqa: F401,F403
from .variants import *  # noqa: F401,F403
