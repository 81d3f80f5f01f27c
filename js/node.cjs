// Node entry (CommonJS): the nodejs glue instantiates the wasm synchronously.
'use strict';
const glue = require('./dms_rerun.js');
const { bind, DmsError, ErrorKind, ErrorCode } = require('./api.cjs');

module.exports = { ...bind(glue), DmsError, ErrorKind, ErrorCode };
