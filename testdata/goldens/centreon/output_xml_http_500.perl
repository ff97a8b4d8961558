<?xml version="1.0" encoding="utf-8"?>
<plugin>
  <name>apps::monitoring::mip::restapi::plugin</name>
  <mode>scenarios</mode>
  <exit>UNKNOWN</exit>
  <outputs>
    <output>
      <type>1</type>
      <exit>UNKNOWN</exit>
      <msg>UNKNOWN: 500 Internal Server Error</msg>
    </output>
  </outputs>
  <perfdatas/>
</plugin>
exit 3
