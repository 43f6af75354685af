import { removeFileScratchAfterAll } from './scratch.js';

// A setup file, so that every test file removes the scratch folders it made outside its tests.
removeFileScratchAfterAll();
