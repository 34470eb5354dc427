"""The ``rocket`` command: everything between a person's words and the library.

- ``cli``: the argument parser, and the one place a user mistake becomes one line on stderr
  with exit code 2.
- ``tune``: ``rocket tune``, a thin loop over :func:`rocket_hpo.runner.optimize` with live
  progress (``progress``); ``samplers``: the optimizer by name, on the ladder a study
  file's ``fidelity`` section describes.
- ``study_file``: YAML study files, checked key by key.
- ``status``: ``rocket status`` and ``rocket best`` (named for what it shows rather than
  ``inspect``, which would shadow the standard library's module of that name);
  ``dashboard``: ``rocket dashboard``.
- ``defaults``: the defaults the commands share.

Storages are opened, and trials counted, by :mod:`rocket_hpo.runner`; the objective wrapper
is :class:`rocket_hpo.tasks.base.TrialObjective`. No other package imports this one; the
options of ``rocket benchmark`` and ``rocket pretrain`` are read by their own packages
(``bench.command``, ``agent.pretrain.command``).
"""
