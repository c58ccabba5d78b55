package org.rnnlab.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The README's example of generating from an exported model with ONNX Runtime alone (no rnnlab): the lines between
 * the markers are the README's, character for character ({@code ReadmeExampleTest} holds them equal and runs this).
 */
final class ReadmeExample {
    private ReadmeExample() {}

    // README begin
    /** Greedy completion of prompt by an rnnlab model exported with rnnlab convert --out model.onnx. */
    static String complete(String onnxFile, String prompt, int length) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(onnxFile)) {
            String codePoints = session.getMetadata().getCustomMetadata().get("vocabulary_code_points");   // "10 32 97 ..."
            List<Integer> vocab = Arrays.stream(codePoints.split(" ")).map(Integer::valueOf).toList();    // token id -> character
            Map<String, Object> state = new HashMap<>();   // h_0 (and c_0 for an LSTM): zeros (layers, batch 1, hidden)
            for (NodeInfo in : session.getInputInfo().values()) {
                long[] shape = ((TensorInfo) in.getInfo()).getShape();
                if (!in.getName().equals("tokens")) state.put(in.getName(), new float[(int) shape[0]][1][(int) shape[2]]);
            }
            long[][] tokens = prompt.codePoints().mapToObj(c -> new long[] {vocab.indexOf(c)}).toArray(long[][]::new);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                Map<String, OnnxTensor> inputs = new HashMap<>(Map.of("tokens", OnnxTensor.createTensor(env, tokens)));
                for (var s : state.entrySet()) inputs.put(s.getKey(), OnnxTensor.createTensor(env, s.getValue()));
                try (OrtSession.Result out = session.run(inputs)) {
                    float[][][] logProbs = (float[][][]) out.get("log_probs").get().getValue();   // (tokens, batch, vocab)
                    float[] last = logProbs[logProbs.length - 1][0];
                    int next = 0;
                    for (int j = 1; j < last.length; j++) if (last[j] > last[next]) next = j;
                    text.appendCodePoint(vocab.get(next));
                    tokens = new long[][] {{next}};   // the next run: the new character, from this run's final state
                    for (String name : state.keySet()) state.put(name, out.get(name.replace("_0", "_n")).get().getValue());
                }
                inputs.values().forEach(OnnxTensor::close);
            }
            return text.toString();
        }
    }
    // README end
}
