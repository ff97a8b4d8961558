<?xml version="1.0" encoding="utf-8"?>
<plugin>
  <name>apps::monitoring::mip::restapi::plugin</name>
  <mode>scenarios</mode>
  <exit>CRITICAL</exit>
  <outputs>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: Scenario 'dup' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: status: WARNING</msg>
    </output>
    <output>
      <type>1</type>
      <exit>CRITICAL</exit>
      <msg>CRITICAL: Scenario 'no_metrics' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>CRITICAL</exit>
      <msg>CRITICAL: status: Critical</msg>
    </output>
    <output>
      <type>1</type>
      <exit>OK</exit>
      <msg>OK: All scenarios are ok</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'dup'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: WARNING</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'm' value: 2 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'no_metrics'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: Critical</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'numbers'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: OK</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'Zeta' value: 1 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'alpha' value: 2 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'big float' value: 1e+20 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'big int' value: 1234567890123456789 requests</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'exponent' value: 200 status</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'float sum' value: 0.3 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'huge bytes' value: 5.00 TB</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'it's quoted' value: 7 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'negative bytes' value: -2.00 KB</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'one point zero' value: 1 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'rate' value: 1.50 Mb/s</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'rounding' value: 1.50 KB</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'string number' value: 12.50 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'tiny' value: 1.5e-07 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'zero bytes' value: 0.00 B</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    formatted metric 'bool' value: 1</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    formatted metric 'float' value: 2.5</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    formatted metric 'neg' value: -3</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'quote's'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: down</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'step's' value: 3 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'single'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: OK</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    metric 'only' value: 42 ms</msg>
    </output>
    <output>
      <type>2</type>
      <msg>checking scenario 'single_null'</msg>
    </output>
    <output>
      <type>2</type>
      <msg>    status: OK</msg>
    </output>
  </outputs>
  <perfdatas>
    <perfdata>
      <warning/>
      <value>2</value>
      <max/>
      <critical/>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <mode>scenarios</mode>
      <label>dup~m#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <min/>
      <instances>dup~m</instances>
    </perfdata>
    <perfdata>
      <critical/>
      <label>numbers~Zeta#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <warning/>
      <max/>
      <value>1</value>
      <instances>numbers~Zeta</instances>
      <min/>
    </perfdata>
    <perfdata>
      <critical/>
      <label>numbers~alpha#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <warning/>
      <max/>
      <value>2</value>
      <instances>numbers~alpha</instances>
      <min/>
    </perfdata>
    <perfdata>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <unit>ms</unit>
      <label>numbers~big float#scenario.metric.usage.milliseconds</label>
      <critical/>
      <value>1e+20</value>
      <max/>
      <warning/>
      <instances>numbers~big float</instances>
      <min/>
    </perfdata>
    <perfdata>
      <min/>
      <instances>numbers~big int</instances>
      <warning/>
      <max/>
      <value>1234567890123456789</value>
      <critical/>
      <unit>requests</unit>
      <label>numbers~big int#scenario.metric.usage.requests</label>
      <nlabel>scenario.metric.usage.requests</nlabel>
      <mode>scenarios</mode>
    </perfdata>
    <perfdata>
      <max/>
      <value>200</value>
      <warning/>
      <label>numbers~exponent#scenario.metric.usage.count</label>
      <unit>status</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.count</nlabel>
      <critical/>
      <min/>
      <instances>numbers~exponent</instances>
    </perfdata>
    <perfdata>
      <critical/>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <label>numbers~float sum#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <warning/>
      <value>0.3</value>
      <max/>
      <instances>numbers~float sum</instances>
      <min/>
    </perfdata>
    <perfdata>
      <critical/>
      <label>numbers~huge bytes#scenario.metric.usage.bytes</label>
      <unit>bytes</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.bytes</nlabel>
      <warning/>
      <max/>
      <value>5500000000000</value>
      <instances>numbers~huge bytes</instances>
      <min/>
    </perfdata>
    <perfdata>
      <unit>ms</unit>
      <label>numbers~it''s quoted#scenario.metric.usage.milliseconds</label>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <mode>scenarios</mode>
      <critical/>
      <max/>
      <value>7</value>
      <warning/>
      <instances>numbers~it's quoted</instances>
      <min/>
    </perfdata>
    <perfdata>
      <min/>
      <instances>numbers~negative bytes</instances>
      <warning/>
      <max/>
      <value>-2048</value>
      <critical/>
      <unit>bytes</unit>
      <label>numbers~negative bytes#scenario.metric.usage.bytes</label>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.bytes</nlabel>
    </perfdata>
    <perfdata>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <mode>scenarios</mode>
      <unit>ms</unit>
      <label>numbers~one point zero#scenario.metric.usage.milliseconds</label>
      <critical/>
      <value>1</value>
      <max/>
      <warning/>
      <instances>numbers~one point zero</instances>
      <min/>
    </perfdata>
    <perfdata>
      <max/>
      <value>1500000</value>
      <warning/>
      <unit>bps</unit>
      <label>numbers~rate#scenario.metric.usage.bitspersecond</label>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.bitspersecond</nlabel>
      <critical/>
      <min/>
      <instances>numbers~rate</instances>
    </perfdata>
    <perfdata>
      <min/>
      <instances>numbers~rounding</instances>
      <warning/>
      <max/>
      <value>1535</value>
      <critical/>
      <unit>bytes</unit>
      <label>numbers~rounding#scenario.metric.usage.bytes</label>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.bytes</nlabel>
    </perfdata>
    <perfdata>
      <warning/>
      <value>12.50</value>
      <max/>
      <critical/>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <label>numbers~string number#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <min/>
      <instances>numbers~string number</instances>
    </perfdata>
    <perfdata>
      <instances>numbers~tiny</instances>
      <min/>
      <critical/>
      <unit>ms</unit>
      <label>numbers~tiny#scenario.metric.usage.milliseconds</label>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <warning/>
      <max/>
      <value>1.5e-07</value>
    </perfdata>
    <perfdata>
      <instances>numbers~zero bytes</instances>
      <min/>
      <label>numbers~zero bytes#scenario.metric.usage.bytes</label>
      <unit>bytes</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.bytes</nlabel>
      <critical/>
      <max/>
      <value>0</value>
      <warning/>
    </perfdata>
    <perfdata>
      <value>1</value>
      <max/>
      <warning/>
      <mode>scenarios</mode>
      <nlabel>scenario.formatted_metric.usage.count</nlabel>
      <label>numbers~bool#scenario.formatted_metric.usage.count</label>
      <unit/>
      <critical/>
      <min/>
      <instances>numbers~bool</instances>
    </perfdata>
    <perfdata>
      <warning/>
      <max/>
      <value>2.5</value>
      <critical/>
      <label>numbers~float#scenario.formatted_metric.usage.count</label>
      <unit/>
      <mode>scenarios</mode>
      <nlabel>scenario.formatted_metric.usage.count</nlabel>
      <min/>
      <instances>numbers~float</instances>
    </perfdata>
    <perfdata>
      <instances>numbers~neg</instances>
      <min/>
      <critical/>
      <unit/>
      <label>numbers~neg#scenario.formatted_metric.usage.count</label>
      <mode>scenarios</mode>
      <nlabel>scenario.formatted_metric.usage.count</nlabel>
      <warning/>
      <max/>
      <value>-3</value>
    </perfdata>
    <perfdata>
      <critical/>
      <label>quote''s~step''s#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <warning/>
      <max/>
      <value>3</value>
      <instances>quote's~step's</instances>
      <min/>
    </perfdata>
    <perfdata>
      <mode>scenarios</mode>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <label>single~only#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <critical/>
      <value>42</value>
      <max/>
      <warning/>
      <instances>single~only</instances>
      <min/>
    </perfdata>
  </perfdatas>
</plugin>
exit 2
