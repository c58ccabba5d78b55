package org.rnnlab.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.Map;
import org.rnnlab.onnx.proto.OnnxProto.ModelProto;

/** An exported model in ONNX Runtime (its Java API, one thread): runs of (T, B) token ids from a given state. */
final class OrtRunner implements AutoCloseable {
    static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    private final OrtSession session;
    private final boolean lstm;

    /** What one run gives: logits and log_probs (T, B, V), h_n and c_n (L, B, H); c_n null but for an LSTM. */
    record Out(float[] logits, float[] logProbs, float[] h, float[] c) {}

    OrtRunner(ModelProto model) throws OrtException {
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);   // the test machine's cores are shared
            options.setInterOpNumThreads(1);
            session = ENV.createSession(model.toByteArray(), options);
        }
        lstm = session.getInputNames().contains(OnnxExport.C0);
    }

    OrtSession session() {
        return session;
    }

    /** One run: {@code tokens} (T, B) time-major, {@code h0} and {@code c0} (L, B, H) ({@code c0} only for an LSTM). */
    Out run(long[] tokens, int T, int B, float[] h0, float[] c0, int layers, int hidden) throws OrtException {
        long[] state = {layers, B, hidden};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put(OnnxExport.TOKENS, OnnxTensor.createTensor(ENV, LongBuffer.wrap(tokens), new long[] {T, B}));
            in.put(OnnxExport.H0, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(h0), state));
            if (lstm) in.put(OnnxExport.C0, OnnxTensor.createTensor(ENV, FloatBuffer.wrap(c0), state));
            try (OrtSession.Result r = session.run(in)) {
                return new Out(floats(r, OnnxExport.LOGITS), floats(r, OnnxExport.LOG_PROBS), floats(r, OnnxExport.HN),
                        lstm ? floats(r, OnnxExport.CN) : null);
            }
        } finally {
            in.values().forEach(OnnxTensor::close);
        }
    }

    private static float[] floats(OrtSession.Result r, String name) {
        FloatBuffer b = ((OnnxTensor) r.get(name).orElseThrow()).getFloatBuffer();
        float[] a = new float[b.remaining()];
        b.get(a);
        return a;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
