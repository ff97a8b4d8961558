{"plugin":{"name":"apps::monitoring::mip::restapi::plugin","perfdatas":[],"outputs":[{"msg":"UNKNOWN: 404 Not Found","type":1,"exit":"UNKNOWN"}],"exit":"UNKNOWN","mode":"scenarios"}}
exit 3
