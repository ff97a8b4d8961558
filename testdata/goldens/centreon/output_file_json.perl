
--- file
{"plugin":{"outputs":[{"exit":"OK","msg":"OK: Scenario 'intranet_home' ","type":1},{"type":1,"exit":"OK","msg":"OK: metric 'Launch' value: 2500 ms"},{"type":1,"msg":"WARNING: Scenario 'intranet_home' ","exit":"WARNING"},{"msg":"WARNING: status: WARNING","exit":"WARNING","type":1}],"mode":"scenarios","perfdatas":[{"critical":"","unit":"ms","max":"","value":"2500","label":"intranet_home~Launch#scenario.metric.usage.milliseconds","instances":"intranet_home~Launch","mode":"scenarios","nlabel":"scenario.metric.usage.milliseconds","warning":"","min":""}],"exit":"WARNING","name":"apps::monitoring::mip::restapi::plugin"}}
exit 1
