"""Models that several chapters reuse: the GPT of 3.2.4, the LeNet of 3.3.1.

Each is derived and written from scratch in its chapter, which then checks that
its own version and this one compute the same thing on the same weights. Later
chapters import it from here instead of copying it.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class CausalSelfAttention(nn.Module):
    """Multi-head causal self-attention: input and output [B, T, d_model]."""

    def __init__(
        self, d_model: int, n_heads: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(
                f"d_model={d_model} must be divisible by n_heads={n_heads}"
            )
        self.n_heads, self.dropout = n_heads, dropout
        # W^Q, W^K, W^V of all heads at once
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model, bias=False)  # W^O
        self.resid_dropout = nn.Dropout(dropout)

    def heads(
        self, h: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Return queries, keys and values of the input h [B, T, d].

        Each is [B, n_heads, T, d_h].
        """
        B, T, d = h.shape
        q, k, v = (
            self.qkv(h)
            .view(B, T, 3, self.n_heads, d // self.n_heads)
            .permute(2, 0, 3, 1, 4)
        )
        return q, k, v

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        B, T, d = h.shape
        q, k, v = self.heads(h)
        y = F.scaled_dot_product_attention(
            q,
            k,
            v,
            is_causal=True,
            dropout_p=self.dropout if self.training else 0.0,
        )
        return self.resid_dropout(
            self.proj(y.transpose(1, 2).reshape(B, T, d))
        )


class Block(nn.Module):
    """A pre-LayerNorm Transformer block: h + MHA(LN(h)), then + MLP(LN(.)).

    The MLP is 4 d wide.
    """

    def __init__(
        self, d_model: int, n_heads: int, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(d_model, bias=False)
        self.attn = CausalSelfAttention(d_model, n_heads, dropout)
        self.ln_2 = nn.LayerNorm(d_model, bias=False)
        self.mlp = nn.Sequential(
            nn.Linear(d_model, 4 * d_model, bias=False),
            nn.GELU(),
            nn.Linear(4 * d_model, d_model, bias=False),
            nn.Dropout(dropout),
        )

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        a = h + self.attn(self.ln_1(h))
        return a + self.mlp(self.ln_2(a))


class GPT(nn.Module):
    """A decoder-only Transformer language model (chapter 3.2.4).

    ids [B, T] -> next-token logits [B, T, V].

    Learned token and position embeddings, ``n_layers`` pre-LN blocks, a final
    LayerNorm and an output layer tied to the token embedding; GPT-2
    initialisation.
    """

    def __init__(
        self,
        vocab_size: int,
        block_size: int,
        n_layers: int,
        n_heads: int,
        d_model: int,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        for name, value in dict(
            vocab_size=vocab_size,
            block_size=block_size,
            n_layers=n_layers,
            n_heads=n_heads,
            d_model=d_model,
        ).items():
            if (
                not isinstance(value, int)
                or isinstance(value, bool)
                or value < 1
            ):
                raise ValueError(
                    f"{name} must be a positive integer, got {value!r}"
                )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout!r}")
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, d_model)  # E
        self.position_embedding = nn.Embedding(block_size, d_model)  # P
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(
            Block(d_model, n_heads, dropout) for _ in range(n_layers)
        )
        self.ln_f = nn.LayerNorm(d_model, bias=False)
        self.head = nn.Linear(d_model, vocab_size, bias=False)
        self.head.weight = self.token_embedding.weight  # weight tying
        for name, p in self.named_parameters():
            # GPT-2 initialisation; residual projections scaled by 1/sqrt(2L)
            if p.dim() == 2:
                residual = name.endswith("attn.proj.weight") or name.endswith(
                    "mlp.2.weight"
                )
                nn.init.normal_(
                    p,
                    mean=0.0,
                    std=0.02 / math.sqrt(2 * n_layers) if residual else 0.02,
                )

    def hidden_states(self, ids: torch.Tensor) -> list[torch.Tensor]:
        """Return the residual stream [B, T, d] after each stage.

        That is after the embeddings and after each block (n_layers + 1
        tensors).
        """
        T = ids.shape[1]
        if T > self.block_size:
            raise ValueError(
                f"sequence length {T} exceeds the block size {self.block_size}"
            )
        positions = torch.arange(T, device=ids.device)
        h = self.dropout(
            self.token_embedding(ids) + self.position_embedding(positions)
        )
        states = [h]
        for block in self.blocks:
            h = block(h)
            states.append(h)
        return states

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.head(self.ln_f(self.hidden_states(ids)[-1]))


def lm_loss(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Return the mean cross-entropy (nats per token) of next-token logits.

    logits [B, T, V] are scored against the next ids [B, T].
    """
    return F.cross_entropy(logits.flatten(0, 1).float(), targets.flatten())


def gpt_parameter_counts(model: GPT) -> dict[str, int]:
    """Return the parameters of ``model``: 'non-embedding' (N) and 'total'.

    The total counts the tied matrix once.
    """
    # parameters() yields a shared tensor once
    total = sum(p.numel() for p in model.parameters())
    embeddings = (
        model.token_embedding.weight.numel()
        + model.position_embedding.weight.numel()
    )
    return {"non-embedding": total - embeddings, "total": total}


class LeNet(nn.Module):
    """LeNet-5's layout with ReLU and max pooling (chapter 3.3.1).

    images [B, 1, 28, 28] -> logits [B, classes].

    ``activation`` (default ReLU) lets a chapter compare nonlinearities on the
    same layout.
    """

    def __init__(self, num_classes: int = 10, activation=F.relu) -> None:
        super().__init__()
        self.activation = activation
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[1:] != (1, 28, 28):
            raise ValueError(
                "LeNet expects images of shape [B, 1, 28, 28], got "
                f"{list(x.shape)}"
            )
        act = self.activation
        x = F.max_pool2d(act(self.conv1(x)), 2)
        x = F.max_pool2d(act(self.conv2(x)), 2)
        x = act(self.fc1(x.flatten(1)))
        return self.fc3(act(self.fc2(x)))
