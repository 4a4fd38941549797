# SPDX-License-Identifier: Apache-2.0
"""A learning switch for OpenFlow 1.3 (or 1.4, 1.5), as an os-ken application.

It installs a table-miss entry that sends packets to the controller, learns
the source MAC of every packet-in per switch, installs a flow (in_port,
eth_dst) -> output for destinations it knows and sends the packet on with a
packet-out (FLOOD while the destination is unknown). It logs one line per
switch that connects, so that a test can wait for it.
"""
from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.lib.packet import ethernet, packet
import os

from os_ken.ofproto import ofproto_v1_3, ofproto_v1_4, ofproto_v1_5

FLOW_PRIORITY = 10


class L2Learning(app_manager.OSKenApp):
    # L2_OPENFLOW=1.4 or 1.5: speak that version (1.5's packet-out names
    # its input port in a match; the rest is the same).
    OFP_VERSIONS = [{"1.4": ofproto_v1_4.OFP_VERSION, "1.5": ofproto_v1_5.OFP_VERSION}.get(
        os.environ.get("L2_OPENFLOW"), ofproto_v1_3.OFP_VERSION)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.macs = {}  # dpid -> {mac: port}

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        dp = ev.msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        miss = parser.OFPInstructionActions(
            ofp.OFPIT_APPLY_ACTIONS,
            [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)])
        dp.send_msg(parser.OFPFlowMod(dp, priority=0, match=parser.OFPMatch(),
                                      instructions=[miss]))
        self.logger.info("l2: switch %016x connected", dp.id)

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        in_port = msg.match["in_port"]
        eth = packet.Packet(msg.data).get_protocol(ethernet.ethernet)
        if eth is None:
            return
        table = self.macs.setdefault(dp.id, {})
        table[eth.src] = in_port
        out = table.get(eth.dst, ofp.OFPP_FLOOD)
        actions = [parser.OFPActionOutput(out)]
        if out != ofp.OFPP_FLOOD:
            inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
            match = parser.OFPMatch(in_port=in_port, eth_dst=eth.dst)
            dp.send_msg(parser.OFPFlowMod(dp, priority=FLOW_PRIORITY, match=match,
                                          instructions=inst))
            self.logger.info("l2: %016x flow %s -> port %d", dp.id, eth.dst, out)
        if dp.ofproto.OFP_VERSION >= ofproto_v1_5.OFP_VERSION:
            dp.send_msg(parser.OFPPacketOut(dp, buffer_id=ofp.OFP_NO_BUFFER,
                                            match=parser.OFPMatch(in_port=in_port),
                                            actions=actions, data=msg.data))
        else:
            dp.send_msg(parser.OFPPacketOut(dp, buffer_id=ofp.OFP_NO_BUFFER, in_port=in_port,
                                            actions=actions, data=msg.data))
