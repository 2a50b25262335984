"""Entities, triggers and commands as hatasmota derives them from discovery messages.

Reads a JSON list of cases on stdin: {"name", "config", "sensors" (or null)}. Writes a JSON list
of results: {"name", "error"} when hatasmota rejects the discovery message, otherwise
{"name", "entities": [[unique_id, name]], "sensors": [[unique_id, quantity, unit]],
"triggers": [trigger_id], "commands": [[unique_id, request, topic, payload]]}, where each
request is one of the strings `tests/differential.rs` maps to a `Request`.
Exits with status 3 and a message when hatasmota cannot be imported.
"""

import asyncio
import json
import sys

try:
    from hatasmota import discovery
    from hatasmota.const import CONF_MAC
    from hatasmota.mqtt import TasmotaMQTTClient
    from hatasmota.sensor import get_sensor_entities
    import hatasmota.light as hlight
except ImportError as e:  # pragma: no cover
    print(f"hatasmota cannot be imported ({e}): run `pip install hatasmota`", file=sys.stderr)
    sys.exit(3)

PLATFORMS = ["switch", "light", "cover", "fan", "binary_sensor", "sensor"]


def requests_for(entity):
    cfg = entity._cfg
    if cfg.platform == "switch":
        return ["power:on", "power:off"]
    if cfg.platform == "light" and cfg.endpoint == "relay":
        return ["power:on", "power:off"]
    if cfg.platform == "light":
        out = ["light:on", "light:off", "light:on;brightness=50"]
        lt = entity.light_type
        if lt >= hlight.LIGHT_TYPE_RGB:
            out += ["light:on;hs=30,80", "light:on;rgb=255,128,0", "light:on;scheme=4"]
        if lt in (hlight.LIGHT_TYPE_COLDWARM, hlight.LIGHT_TYPE_RGBCW):
            out += ["light:on;ct=300"]
        if lt == hlight.LIGHT_TYPE_RGBW:
            out += ["light:on;white=40"]
        if entity.supports_transition:
            out += ["light:on;brightness=30;transition=2", "light:off;transition=1",
                    "light:on;transition=0"]
        return out
    if cfg.platform == "cover":
        out = ["open", "close", "stop", "position=30"]
        if entity.supports_tilt:
            out += ["tilt_open", "tilt_close", "tilt=50"]
        return out
    if cfg.platform == "fan":
        return ["fan=2", "fan=0"]
    return []


async def run(entity, request):
    if request.startswith("power:"):
        return await entity.set_state(request == "power:on", {}) if entity._cfg.platform == "light" \
            else await entity.set_state(request == "power:on")
    if request.startswith("light:"):
        head, *rest = request.split(";")
        attrs = {}
        for part in rest:
            k, v = part.split("=")
            if k == "hs":
                attrs["color_hs"] = [float(x) for x in v.split(",")]
            elif k == "rgb":
                attrs["color"] = [int(x) for x in v.split(",")]
            elif k == "ct":
                attrs["color_temp"] = int(v)
            elif k == "scheme":
                attrs["effect"] = entity.effect_list[int(v)]
            elif k == "white":
                attrs["white_value"] = int(v)
            else:
                attrs[k] = float(v) if k == "transition" else int(v)
        return await entity.set_state(head == "light:on", attrs)
    if request == "open":
        return await entity.open()
    if request == "close":
        return await entity.close()
    if request == "stop":
        return await entity.stop()
    if request.startswith("position="):
        return await entity.set_position(int(request[9:]))
    if request == "tilt_open":
        return await entity.open_tilt()
    if request == "tilt_close":
        return await entity.close_tilt()
    if request.startswith("tilt="):
        return await entity.set_tilt_position(int(request[5:]))
    if request.startswith("fan="):
        return await entity.set_speed(int(request[4:]))
    raise ValueError(request)


async def derive(case):
    published = []

    async def publish(topic, payload, qos=0, retain=False):
        published.append((topic, "" if payload is None else str(payload)))

    async def subscribe(sub_state, topics):
        return {}

    async def unsubscribe(sub_state):
        return {}

    client = TasmotaMQTTClient(publish, subscribe, unsubscribe)
    try:
        config = discovery.TasmotaDiscoveryMsg(case["config"])
    except Exception as e:  # voluptuous.Invalid and KeyError
        return {"name": case["name"], "error": f"{type(e).__name__}: {e}"}
    out = {"name": case["name"], "entities": [], "sensors": [], "triggers": [], "commands": []}
    for platform in PLATFORMS[:-1]:
        for entity_config, _ in discovery.get_entities_for_platform(config, platform):
            if entity_config is None:
                continue
            entity = discovery.get_entity(entity_config, client)
            out["entities"].append([entity.unique_id, entity.name])
            for request in requests_for(entity):
                published.clear()
                await run(entity, request)
                for topic, payload in published:
                    out["commands"].append([entity.unique_id, request, topic, payload])
    for entity_config, _ in discovery.get_entities_for_platform(config, "sensor"):
        out["entities"].append([entity_config.unique_id, entity_config.friendly_name])
    if case.get("sensors") is not None:
        for sensor_config, _ in get_sensor_entities(case["sensors"], config):
            out["sensors"].append([sensor_config.unique_id, sensor_config.quantity, sensor_config.unit])
    for trigger in discovery.get_triggers(config):
        if trigger.is_active:
            out["triggers"].append(trigger.trigger_id)
    return out


async def main():
    cases = json.load(sys.stdin)
    results = [await derive(case) for case in cases]
    json.dump(results, sys.stdout)


asyncio.run(main())
