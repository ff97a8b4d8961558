OK: Scenario 'numbers' status: OK - All metrics are ok | 'numbers~Zeta#scenario.metric.usage.milliseconds'=1ms;;;; 'numbers~alpha#scenario.metric.usage.milliseconds'=2ms;;;; 'numbers~big float#scenario.metric.usage.milliseconds'=1e+20ms;;;; 'numbers~big int#scenario.metric.usage.requests'=1234567890123456789requests;;;; 'numbers~exponent#scenario.metric.usage.count'=200status;;;; 'numbers~float sum#scenario.metric.usage.milliseconds'=0.3ms;;;; 'numbers~huge bytes#scenario.metric.usage.bytes'=5500000000000bytes;;;; 'numbers~it''s quoted#scenario.metric.usage.milliseconds'=7ms;;;; 'numbers~negative bytes#scenario.metric.usage.bytes'=-2048bytes;;;; 'numbers~one point zero#scenario.metric.usage.milliseconds'=1ms;;;; 'numbers~rate#scenario.metric.usage.bitspersecond'=1500000bps;;;; 'numbers~rounding#scenario.metric.usage.bytes'=1535bytes;;;; 'numbers~string number#scenario.metric.usage.milliseconds'=12.50ms;;;; 'numbers~tiny#scenario.metric.usage.milliseconds'=1.5e-07ms;;;; 'numbers~zero bytes#scenario.metric.usage.bytes'=0bytes;;;; 'numbers~bool#scenario.formatted_metric.usage.count'=1;;;; 'numbers~float#scenario.formatted_metric.usage.count'=2.5;;;; 'numbers~neg#scenario.formatted_metric.usage.count'=-3;;;;
checking scenario 'numbers'
    status: OK
    metric 'Zeta' value: 1 ms
    metric 'alpha' value: 2 ms
    metric 'big float' value: 1e+20 ms
    metric 'big int' value: 1234567890123456789 requests
    metric 'exponent' value: 200 status
    metric 'float sum' value: 0.3 ms
    metric 'huge bytes' value: 5.00 TB
    metric 'it's quoted' value: 7 ms
    metric 'negative bytes' value: -2.00 KB
    metric 'one point zero' value: 1 ms
    metric 'rate' value: 1.50 Mb/s
    metric 'rounding' value: 1.50 KB
    metric 'string number' value: 12.50 ms
    metric 'tiny' value: 1.5e-07 ms
    metric 'zero bytes' value: 0.00 B
    formatted metric 'bool' value: 1
    formatted metric 'float' value: 2.5
    formatted metric 'neg' value: -3
exit 0
