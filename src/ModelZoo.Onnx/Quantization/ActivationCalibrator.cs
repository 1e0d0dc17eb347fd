using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using static TorchSharp.torch;

namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Runs the float graph in ONNX Runtime on the calibration batches with every tensor to calibrate added as a graph
/// output (graph optimisations off, so each tensor exists as exported), and collects each one's histogram or
/// min/max. This is how ONNX Runtime's own calibrators work; the ranges belong to exactly the tensors the QDQ graph
/// quantizes, residual sums and concatenations included.
/// </summary>
internal static class ActivationCalibrator
{
    public static Dictionary<string, TensorHistogram> Collect(ModelProto model, IReadOnlyCollection<string> tensors, IEnumerable<Tensor> batches,
        OnnxQuantizationOptions options, IProgress<int>? progress, CancellationToken cancellationToken, out int samples)
    {
        int bins = options.Method == CalibrationMethod.MinMax ? 0 : options.HistogramBins;
        var histograms = tensors.ToDictionary(t => t, _ => new TensorHistogram(bins), StringComparer.Ordinal);
        string inputName = model.Graph.Input[0].Name;
        var inputDims = model.Graph.Input[0].Type.TensorType.Shape.Dim.Skip(1).Select(d => d.DimValue).ToArray();
        var augmented = model.Clone();
        var existing = augmented.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var fetch = tensors.Where(t => t != inputName).ToList();
        foreach (string t in fetch.Where(t => !existing.Contains(t)))
            augmented.Graph.Output.Add(new ValueInfoProto
            {
                Name = t,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });

        InferenceSession session;
        using (var sessionOptions = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL, IntraOpNumThreads = options.Threads, InterOpNumThreads = 1 })
        {
            try
            {
                session = new InferenceSession(augmented.ToByteArray(), sessionOptions);
            }
            catch (OnnxRuntimeException e)
            {
                throw new OnnxQuantizationException($"ONNX Runtime cannot load the calibration graph: {e.Message.Split('\n')[0]}", e);
            }
        }
        samples = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads == 0 ? Environment.ProcessorCount : options.Threads), CancellationToken = cancellationToken };
        using (session)
        {
            int index = 0;
            foreach (var batch in batches)
            {
                cancellationToken.ThrowIfCancellationRequested();
                float[] data = BatchData(batch, inputDims, index++);
                long n = batch.shape[0];
                using var input = OrtValue.CreateTensorValueFromMemory(data, [n, .. inputDims]);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, [inputName], [input], fetch);
                var work = fetch.Select((name, i) => (Name: name, Index: i)).ToList();
                var infinite = new System.Collections.Concurrent.ConcurrentBag<string>();
                Parallel.ForEach(work, parallel, w =>
                {
                    if (!histograms[w.Name].Add(results[w.Index].GetTensorDataAsSpan<float>())) infinite.Add(w.Name);
                });
                if (histograms.TryGetValue(inputName, out var inputHistogram) && !inputHistogram.Add(data)) infinite.Add(inputName);
                if (!infinite.IsEmpty)
                    throw new OnnxQuantizationException($"calibration batch {index - 1} gives infinite values in {string.Join(", ", infinite.Order(StringComparer.Ordinal).Take(5))}; check the input (its scale, NaN or infinite pixels) and the weights");
                samples += (int)n;
                progress?.Report(samples);
            }
        }
        if (samples == 0) throw new OnnxQuantizationException("no calibration samples: give at least one batch of images");
        return histograms;
    }

    /// <summary>The batch's values, after checking it is a float32 [n, C, H, W] batch of the export's input size.</summary>
    private static float[] BatchData(Tensor batch, long[] inputDims, int index)
    {
        if (batch.dtype != ScalarType.Float32)
            throw new OnnxQuantizationException($"calibration batch {index} is {batch.dtype}, not float32");
        if (batch.dim() != 4 || batch.shape[0] < 1 || !batch.shape.Skip(1).SequenceEqual(inputDims))
            throw new OnnxQuantizationException($"calibration batch {index} has shape [{string.Join(", ", batch.shape)}]; the graph takes [n, {string.Join(", ", inputDims)}]");
        using var scope = NewDisposeScope();
        return batch.detach().cpu().contiguous().data<float>().ToArray();
    }
}
