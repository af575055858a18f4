// Widget tests run in @web/test-runner's Mocha, which provides describe/it/before/after as globals.
/// <reference types="mocha" />
