// @reer/synthesizer public API
