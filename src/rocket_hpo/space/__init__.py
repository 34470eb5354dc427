"""Search spaces: typed hyperparameters, conditions, validation, encoding, YAML and Optuna forms.

See :class:`rocket_hpo.space.Space` for an example and the YAML form.
"""

from rocket_hpo.space._hyperparameters import (
    Bool,
    Categorical,
    Condition,
    Config,
    Float,
    Hyperparameter,
    Int,
    SpaceError,
    Value,
)
from rocket_hpo.space._space import Space

__all__ = [
    "Bool",
    "Categorical",
    "Condition",
    "Config",
    "Float",
    "Hyperparameter",
    "Int",
    "Space",
    "SpaceError",
    "Value",
]
