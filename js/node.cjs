// Node entry (CommonJS): the nodejs glue instantiates the wasm synchronously.
'use strict';
const glue = require('./dms_rerun.js');
const { bind, DmsError, ErrorKind, ErrorCode } = require('./api.cjs');

const { rerunTaskFlowInstance, signRerunTaskFlowInstance } = bind(glue);
module.exports = { rerunTaskFlowInstance, signRerunTaskFlowInstance, DmsError, ErrorKind, ErrorCode };
