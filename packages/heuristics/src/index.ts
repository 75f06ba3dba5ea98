// @reer/heuristics public API
