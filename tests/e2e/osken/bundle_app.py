# SPDX-License-Identifier: Apache-2.0
"""An os-ken application that programs the switch with OpenFlow 1.4 bundles.

When a switch connects it commits bundle 1: two flows that forward between
ports 1 and 2. Once that commit is acknowledged it sends bundle 2, a drop
flow for everything and a flow to a group the switch lacks: the commit
must fail, and the drop flow must not be there. It logs one line per step
so that a test can follow: "bundle: 1 committed", "bundle: 2 refused
(type T code C)", "bundle: flows N" (the flows the switch has after both).
"""
from os_ken.base import app_manager
from os_ken.controller import ofp_event
from os_ken.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from os_ken.ofproto import ofproto_v1_4


class BundleApp(app_manager.OSKenApp):
    OFP_VERSIONS = [ofproto_v1_4.OFP_VERSION]

    def _flow(self, dp, priority, match, actions):
        ofp, parser = dp.ofproto, dp.ofproto_parser
        inst = [parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, actions)]
        return parser.OFPFlowMod(dp, priority=priority, match=match, instructions=inst)

    def _bundle(self, dp, bid, mods):
        ofp, parser = dp.ofproto, dp.ofproto_parser
        flags = ofp.OFPBF_ATOMIC | ofp.OFPBF_ORDERED
        dp.send_msg(parser.OFPBundleCtrlMsg(dp, bid, ofp.OFPBCT_OPEN_REQUEST, flags, []))
        for m in mods:
            dp.send_msg(parser.OFPBundleAddMsg(dp, bid, flags, m, []))
        dp.send_msg(parser.OFPBundleCtrlMsg(dp, bid, ofp.OFPBCT_COMMIT_REQUEST, flags, []))

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features(self, ev):
        dp = ev.msg.datapath
        parser = dp.ofproto_parser
        self._bundle(dp, 1, [
            self._flow(dp, 10, parser.OFPMatch(in_port=1), [parser.OFPActionOutput(2)]),
            self._flow(dp, 10, parser.OFPMatch(in_port=2), [parser.OFPActionOutput(1)]),
        ])

    @set_ev_cls(ofp_event.EventOFPBundleCtrlMsg, MAIN_DISPATCHER)
    def bundle_reply(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if msg.type != ofp.OFPBCT_COMMIT_REPLY:
            return
        self.logger.info("bundle: %d committed", msg.bundle_id)
        if msg.bundle_id == 1:
            self._bundle(dp, 2, [
                self._flow(dp, 20, parser.OFPMatch(), []),
                self._flow(dp, 30, parser.OFPMatch(), [parser.OFPActionGroup(99)]),
            ])

    @set_ev_cls(ofp_event.EventOFPErrorMsg, MAIN_DISPATCHER)
    def error(self, ev):
        msg = ev.msg
        dp = msg.datapath
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if msg.type == ofp.OFPET_BUNDLE_FAILED:
            self.logger.info("bundle: 2 refused (type %d code %d)", msg.type, msg.code)
            dp.send_msg(parser.OFPFlowStatsRequest(dp))
        else:
            self.logger.info("bundle: error type %d code %d", msg.type, msg.code)

    @set_ev_cls(ofp_event.EventOFPFlowStatsReply, MAIN_DISPATCHER)
    def flows(self, ev):
        prios = sorted(s.priority for s in ev.msg.body)
        self.logger.info("bundle: flows %d %s", len(prios), prios)
