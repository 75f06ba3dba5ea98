// @reer/trace-store public API
