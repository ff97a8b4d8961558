{"plugin":{"outputs":[{"exit":"UNKNOWN","type":1,"msg":"UNKNOWN: mode 'foo' doesn't exist (use --list-mode option to show available modes)."}],"exit":"unknown","name":"apps::monitoring::mip::restapi::plugin","mode":"foo","perfdatas":[]}}
exit 3
