# SPDX-License-Identifier: Apache-2.0
"""A learning switch for OpenFlow 1.0, as an os-ken application.

OpenFlow 1.0 sends every packet no flow matches to the controller, so the
application installs nothing up front. It learns the source MAC of every
packet-in per switch, installs a flow (in_port, dl_dst) -> output for a
destination it knows and sends the packet on with a packet-out (FLOOD while
the destination is unknown). It logs one line per switch that connects and
one per flow, so that a test can wait for them.
"""
from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib.packet import ethernet, packet
from os_ken.ofproto import ofproto_v1_0

FLOW_PRIORITY = 10


class L2Learning10(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.macs = {}  # dpid -> {mac: port}

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        dp = ev.msg.datapath
        self.logger.info("l2-10: switch %016x connected, %d ports", dp.id, len(ev.msg.ports))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None:
            return
        table = self.macs.setdefault(dp.id, {})
        table[eth.src] = msg.in_port
        out = table.get(eth.dst, ofp.OFPP_FLOOD)
        actions = [parser.OFPActionOutput(out)]
        if out != ofp.OFPP_FLOOD:
            match = parser.OFPMatch(in_port=msg.in_port, dl_dst=eth.dst)
            dp.send_msg(parser.OFPFlowMod(dp, match=match, cookie=0, command=ofp.OFPFC_ADD,
                                          priority=FLOW_PRIORITY, actions=actions))
            self.logger.info("l2-10: %016x flow %s -> port %d", dp.id, eth.dst, out)
        dp.send_msg(parser.OFPPacketOut(dp, buffer_id=msg.buffer_id, in_port=msg.in_port,
                                        actions=actions,
                                        data=msg.data if msg.buffer_id == 0xffffffff else None))
