// Hands each block of microphone samples to the page (voice.js Recording), which keeps them
// until the answer ends. Runs in the audio thread, so it does nothing else.
class KioskRecorder extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel && channel.length > 0) this.port.postMessage(channel.slice(0));
    return true;
  }
}
registerProcessor('kiosk-recorder', KioskRecorder);
