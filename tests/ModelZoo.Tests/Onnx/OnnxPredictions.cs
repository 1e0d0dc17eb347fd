using Microsoft.ML.OnnxRuntime;
using ModelZoo.Data;
using ModelZoo.Data.Transforms;
using ModelZoo.Onnx;
using static TorchSharp.torch;

namespace ModelZoo.Tests.Onnx;

/// <summary>Top-1 predictions of an ONNX file over a data set, in ONNX Runtime (CPU, 2 threads).</summary>
internal static class OnnxPredictions
{
    public static (int[] Labels, int[] Predictions) Top1(string onnx, IImageDataset data, ITransform transform)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        var loader = new DataLoader(data, new DataLoaderOptions(BatchSize: 50, Shuffle: false, Workers: 2, Transform: transform));
        var labels = new List<int>();
        var predictions = new List<int>();
        foreach (var batch in loader.GetEpoch(0))
        {
            using (batch)
            {
                float[] x = batch.Images.contiguous().data<float>().ToArray();
                using var input = OrtValue.CreateTensorValueFromMemory(x, batch.Images.shape);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, [OnnxMetadata.InputName], [input], [OnnxMetadata.OutputName]);
                var logits = results[0].GetTensorDataAsSpan<float>();
                int classes = logits.Length / batch.Count;
                for (int i = 0; i < batch.Count; i++)
                {
                    var row = logits.Slice(i * classes, classes);
                    int best = 0;
                    for (int k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
                    predictions.Add(best);
                }
                labels.AddRange(batch.Labels.data<long>().ToArray().Select(l => (int)l));
            }
        }
        return (labels.ToArray(), predictions.ToArray());
    }
}
