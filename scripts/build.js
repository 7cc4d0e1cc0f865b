#!/usr/bin/env node
'use strict';
process.exit(require('./lib/build').build());
