// Loads this package's own openai 4.x (its node_modules), by the name `openai`, so that the
// instrumentations' require hooks see `openai` as an app that depends on openai 4 would load it.
module.exports = () => require('openai');
