# WireGuard peers applied without dropping the mesh.
#
# topo's .netdev files carry a WireGuard interface's key and port but not its peers: on NixOS a
# changed .netdev restarts systemd-networkd (restartTriggers), and networkd re-applying a WireGuard
# netdev replaces every peer of it (systemd/systemd#38196, #21877), so adding a mesh member would
# interrupt every tunnel of that interface. The peers live in topo.wireguard.peers (plain data,
# generated) instead; one oneshot service per interface applies them after networkd with
# wireguard-peers-sync.sh (remove the peers that left, `wg addconf` the rest: existing sessions
# stay). It runs again when its peers change (restartTriggers, on switch), when networkd restarts
# (partOf) and when networkd reloads (ReloadPropagatedFrom), so networkd never leaves a device
# without its peers.
{ config, lib, pkgs, ... }:
let
  render = import ./wireguard-peers-conf.nix;
  sync = ./wireguard-peers-sync.sh;
  service = iface: peers:
    let
      conf = pkgs.writeText "topo-wg-peers-${iface}.conf" (render peers);
      run = "${pkgs.bash}/bin/bash ${sync} ${lib.escapeShellArg iface} ${conf}";
    in
    lib.nameValuePair "topo-wg-peers-${iface}" {
      description = "WireGuard peers of ${iface}";
      wantedBy = [ "multi-user.target" "systemd-networkd.service" ];
      after = [ "systemd-networkd.service" ];
      partOf = [ "systemd-networkd.service" ];
      unitConfig.ReloadPropagatedFrom = [ "systemd-networkd.service" ];
      restartTriggers = [ conf ];
      path = [ pkgs.wireguard-tools pkgs.gnused pkgs.gnugrep pkgs.coreutils ];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
        ExecStart = run;
        ExecReload = run;
      };
    };
in
{
  options.topo.wireguard.peers = lib.mkOption {
    default = { };
    description = "Peers of each WireGuard interface (the flat wireguardPeers shape), applied by topo-wg-peers-<interface>.service.";
    type = lib.types.attrsOf (lib.types.listOf (lib.types.attrsOf lib.types.anything));
  };

  config.systemd.services = lib.mapAttrs' service config.topo.wireguard.peers;
}
