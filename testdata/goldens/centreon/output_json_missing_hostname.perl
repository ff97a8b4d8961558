{"plugin":{"outputs":[{"type":1,"msg":"UNKNOWN: Need to specify --hostname option.","exit":"UNKNOWN"}],"exit":"unknown","name":"apps::monitoring::mip::restapi::plugin","perfdatas":[],"mode":"scenarios"}}
exit 3
