{"plugin":{"outputs":[{"exit":"CRITICAL","msg":"CRITICAL: No scenario found","type":1}],"perfdatas":[],"exit":"critical","mode":"scenarios","name":"apps::monitoring::mip::restapi::plugin"}}
exit 2
