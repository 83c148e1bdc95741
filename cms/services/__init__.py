"""Use cases: load models, apply the rules of `cms.core`, add and flush. The caller commits."""
