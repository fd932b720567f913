#!/usr/bin/env node
console.log('ringleader');
