# Attach interfaces that appear after boot (a container's veth) to Open vSwitch bridges.
#
# NixOS's networking.vswitches.<bridge>.interfaces makes <bridge>-netdev.service wait at boot for
# every non-internal port's device; a container's veth exists only once the container runs, so
# topo lists such ports in topo.ovs.latePorts instead. Each gets a service that starts when its
# device appears and stops when it goes (bindsTo), runs after the bridge's service and restarts
# with it (partOf: that service re-creates the bridge without these ports), and adds the port with
# the OpenFlow port number the generated flows name (ofport_request).
{ config, lib, pkgs, utils, ... }:
let
  cfg = config.topo.ovs.latePorts;
  ovs = config.virtualisation.vswitch.package;
  device = name: "sys-subsystem-net-devices-${utils.escapeSystemdPath name}.device";
  bridgeService = p: "${p.bridge}-netdev.service";
in
{
  options.topo.ovs.latePorts = lib.mkOption {
    default = { };
    description = "Interfaces created after boot (container veths), attached to an OVS bridge when they appear.";
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        bridge = lib.mkOption {
          type = lib.types.str;
          description = "The bridge (a networking.vswitches entry) the interface joins.";
        };
        ofport = lib.mkOption {
          type = lib.types.ints.between 1 65279;
          description = "OpenFlow port number requested for it (ofport_request).";
        };
      };
    });
  };

  config.systemd.services = lib.mapAttrs' (name: p:
    lib.nameValuePair "topo-ovs-port-${name}" {
      description = "Attach ${name} to Open vSwitch bridge ${p.bridge}";
      wantedBy = [ (device name) ];
      bindsTo = [ (device name) ];
      requires = [ (bridgeService p) ];
      partOf = [ (bridgeService p) ];
      after = [ (device name) (bridgeService p) ];
      path = [ ovs pkgs.iproute2 ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
      };
      script = ''
        ovs-vsctl --may-exist add-port ${lib.escapeShellArg p.bridge} ${lib.escapeShellArg name} \
          -- set interface ${lib.escapeShellArg name} ofport_request=${toString p.ofport}
        ip link set dev ${lib.escapeShellArg name} up
      '';
      postStop = ''
        ovs-vsctl --if-exists del-port ${lib.escapeShellArg p.bridge} ${lib.escapeShellArg name}
      '';
    }) cfg;
}
