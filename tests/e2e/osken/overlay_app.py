# SPDX-License-Identifier: Apache-2.0
"""An os-ken application that builds a two-tenant overlay across hosts.

Every switch that connects gets, in OpenFlow 1.3, for each tenant it has a
port of: frames from the tenant's port leave by the tunnel port with the
tenant's VNI in tun_id (the tunnel port has key=flow), and frames out of
the tunnel with that VNI go to the tenant's port. Nothing else is
forwarded (the switches are in secure fail mode; no table-miss flow). The
tenants may reuse addresses: the VNI keeps them apart.

The plan comes from the JSON file named by $OVERLAY_PLAN:
  {"<dpid as 16 hex digits>": {"tunnel": PORT_NAME,
                               "tenants": {"<VNI>": PORT_NAME, ...}}, ...}
Port names are resolved to numbers from the switch's port description.
Logs "overlay: <dpid> ready <n> flows" once a switch's flows are in (after
a barrier), or "overlay: <dpid> error ..." on any OpenFlow error.
"""
import json
import os

from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.ofproto import ofproto_v1_3


class OverlayApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        with open(os.environ["OVERLAY_PLAN"]) as f:
            self.plan = json.load(f)
        self.n_flows = {}

    @staticmethod
    def _dpid(dp):
        return "%016x" % dp.id

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        dp = ev.msg.datapath
        dp.send_msg(dp.ofproto_parser.OFPPortDescStatsRequest(dp, 0))

    @set_ev_cls(ofp_event.EventOFPPortDescStatsReply, MAIN_DISPATCHER)
    def ports(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        plan = self.plan.get(self._dpid(dp))
        if plan is None:
            self.logger.info("overlay: %s error not in the plan", self._dpid(dp))
            return
        numbers = {p.name.decode() if isinstance(p.name, bytes) else p.name: p.port_no
                   for p in ev.msg.body}
        try:
            tun = numbers[plan["tunnel"]]
            tenants = {int(vni): numbers[name] for vni, name in plan["tenants"].items()}
        except KeyError as e:
            self.logger.info("overlay: %s error no port %s", self._dpid(dp), e)
            return
        n = 0
        for vni, port in tenants.items():
            self._flow(dp, 100, parser.OFPMatch(in_port=port),
                       [parser.OFPActionSetField(tunnel_id=vni), parser.OFPActionOutput(tun)])
            self._flow(dp, 100, parser.OFPMatch(in_port=tun, tunnel_id=vni),
                       [parser.OFPActionOutput(port)])
            n += 2
        self.n_flows[dp.id] = n
        dp.send_msg(parser.OFPBarrierRequest(dp))

    def _flow(self, dp, priority, match, actions):
        ofp, parser = dp.ofproto, dp.ofproto_parser
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        dp.send_msg(parser.OFPFlowMod(dp, priority=priority, match=match, instructions=inst))

    @set_ev_cls(ofp_event.EventOFPBarrierReply, MAIN_DISPATCHER)
    def barrier(self, ev):
        dp = ev.msg.datapath
        self.logger.info("overlay: %s ready %d flows", self._dpid(dp), self.n_flows.get(dp.id, 0))

    @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
    def error(self, ev):
        msg = ev.msg
        self.logger.info("overlay: %s error type %d code %d", self._dpid(msg.datapath),
                         msg.type, msg.code)
