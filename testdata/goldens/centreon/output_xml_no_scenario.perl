<?xml version="1.0" encoding="utf-8"?>
<plugin>
  <name>apps::monitoring::mip::restapi::plugin</name>
  <mode>scenarios</mode>
  <exit>unknown</exit>
  <outputs>
    <output>
      <type>1</type>
      <exit>UNKNOWN</exit>
      <msg>UNKNOWN: No scenario found</msg>
    </output>
  </outputs>
  <perfdatas/>
</plugin>
exit 3
