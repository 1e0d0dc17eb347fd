using System.Globalization;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ModelZoo.Onnx.Quantization;

/// <summary>
/// Post-training static int8 quantization of a zoo model to an ONNX QDQ graph that ONNX Runtime runs with its
/// integer kernels (S8S8: int8 activations and weights, ONNX Runtime's recommended CPU format). The model is exported
/// in float32 (<see cref="OnnxExporter"/>), batch norm is folded into the convolutions in the graph (the model itself
/// is not changed), activation ranges are calibrated by running the float graph in ONNX Runtime on the calibration
/// batches, weights become per-channel symmetric int8 and biases int32, and QuantizeLinear/DequantizeLinear pairs
/// are placed where ONNX Runtime's QDQ fusions turn them into QLinearConv, QGemm, QLinearAdd, QLinearConcat and
/// int8 pooling (<see cref="QdqPlan"/>). Input and output stay float32 <c>[batch, C, H, W]</c> -> logits, with the
/// export's metadata, so anything that runs the float export (<c>modelzoo predict --onnx</c>) runs this file.
/// See docs/quantization.md.
/// </summary>
public static class OnnxQuantizer
{
    /// <summary>Quantizes <paramref name="model"/> and writes the QDQ model to <paramref name="path"/> atomically.</summary>
    /// <param name="model">A zoo model (its training mode is ignored; it is not changed).</param>
    /// <param name="calibrationBatches">Float32 <c>[n, C, H, W]</c> batches preprocessed as the model expects (the card's or the checkpoint's normalisation), read once; see <see cref="SyntheticCalibration"/> for random input.</param>
    /// <param name="path">The file to write.</param>
    /// <param name="options">Method, export settings; null: min-max on the card's input.</param>
    /// <param name="progress">Receives the number of calibration samples seen after each batch.</param>
    /// <param name="cancellationToken">Stops between calibration batches.</param>
    /// <returns>What was written, with the float and int8 sizes.</returns>
    /// <exception cref="OnnxExportException">The model cannot be exported (binarised layers).</exception>
    /// <exception cref="OnnxQuantizationException">No calibration samples, or a batch of the wrong type or shape.</exception>
    /// <exception cref="ArgumentException">Not a model made by <c>Zoo.Create</c> (its card gives the input size and the metadata).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static OnnxQuantizationInfo Quantize(nn.Module model, IEnumerable<Tensor> calibrationBatches, string path,
        OnnxQuantizationOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (proto, info) = Build(model, calibrationBatches, options, progress, cancellationToken);
        string full = OnnxFiles.WriteAtomically(proto, path);
        return info with { Path = full, FileBytes = new FileInfo(full).Length };
    }

    /// <summary>As <see cref="Quantize"/>, in memory: the serialised QDQ model (for an <c>InferenceSession</c>) and what it holds.</summary>
    /// <param name="model">A zoo model (not changed).</param>
    /// <param name="calibrationBatches">Float32 <c>[n, C, H, W]</c> batches, preprocessed, read once.</param>
    /// <param name="options">Method, export settings; null: min-max on the card's input.</param>
    /// <param name="progress">Receives the number of calibration samples seen after each batch.</param>
    /// <param name="cancellationToken">Stops between calibration batches.</param>
    /// <returns>The model bytes and the summary (its path empty).</returns>
    /// <exception cref="OnnxExportException">The model cannot be exported.</exception>
    /// <exception cref="OnnxQuantizationException">No calibration samples, or a batch of the wrong type or shape.</exception>
    public static (byte[] Model, OnnxQuantizationInfo Info) QuantizeToBytes(nn.Module model, IEnumerable<Tensor> calibrationBatches,
        OnnxQuantizationOptions? options = null, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        var (proto, info) = Build(model, calibrationBatches, options, progress, cancellationToken);
        return (proto.ToByteArray(), info);
    }

    /// <summary>
    /// The float32 and int8 file sizes of <paramref name="model"/>'s ONNX export, without calibration (the weights
    /// decide the size; calibration only sets scalars): what <c>inspect</c> can show before anything is quantized.
    /// </summary>
    /// <param name="model">A zoo model (not changed).</param>
    /// <param name="export">Export settings; null: the card's input.</param>
    /// <returns>Both sizes in bytes.</returns>
    /// <exception cref="OnnxExportException">The model cannot be exported.</exception>
    public static OnnxQuantizedSize EstimateSize(nn.Module model, OnnxExportOptions? export = null)
    {
        var (floatModel, exportInfo) = OnnxExporter.Build(model, export);
        var folded = floatModel.Clone();
        GraphBatchNormFolding.Fold(folded.Graph);
        var plan = QdqPlan.Build(folded.Graph);
        var parameters = plan.Calibrated.ToDictionary(t => t, _ => new QuantParams(1f, 0), StringComparer.Ordinal);
        var quantized = Assemble(folded, plan, parameters, new OnnxQuantizationOptions(), 0);
        return new OnnxQuantizedSize(exportInfo.FileBytes, quantized.CalculateSize());
    }

    /// <summary>
    /// Random calibration input, N(0, 1) per pixel (what normalised images look like to the first layer): for timing and
    /// size checks where no images are at hand. Ranges from it suit real images poorly; calibrate on real data to deploy.
    /// </summary>
    /// <param name="samples">Number of samples.</param>
    /// <param name="input">Channels, height, width.</param>
    /// <param name="batchSize">Samples per batch.</param>
    /// <param name="seed">Generator seed.</param>
    /// <returns>Batches, made one at a time as they are read (the caller disposes them, or reads them in a dispose scope).</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count or size is not positive.</exception>
    public static IEnumerable<Tensor> SyntheticCalibration(int samples, (int Channels, int Height, int Width) input, int batchSize = 8, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (input.Channels < 1 || input.Height < 1 || input.Width < 1) throw new ArgumentOutOfRangeException(nameof(input), input, "channels, height and width must be positive");
        return Batches();

        IEnumerable<Tensor> Batches()
        {
            using var generator = new Generator((ulong)seed);
            for (int done = 0; done < samples; done += batchSize)
                yield return torch.randn([Math.Min(batchSize, samples - done), input.Channels, input.Height, input.Width], generator: generator);
        }
    }

    private static (ModelProto Model, OnnxQuantizationInfo Info) Build(nn.Module model, IEnumerable<Tensor> calibrationBatches,
        OnnxQuantizationOptions? options, IProgress<int>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(calibrationBatches);
        options ??= new OnnxQuantizationOptions();
        options.Validate();
        var (floatModel, exportInfo) = OnnxExporter.Build(model, options.Export);
        var folded = floatModel.Clone();
        int foldedNorms = GraphBatchNormFolding.Fold(folded.Graph);
        var plan = QdqPlan.Build(folded.Graph);
        var histograms = ActivationCalibrator.Collect(folded, plan.Calibrated.ToList(), calibrationBatches, options, progress, cancellationToken, out int samples);
        var parameters = new Dictionary<string, QuantParams>(StringComparer.Ordinal);
        string input = folded.Graph.Input[0].Name;
        foreach (var (tensor, histogram) in histograms)
        {
            // The model input's range is set by the preprocessing, and clipping it clips image content: always its extremes.
            var (low, high) = CalibrationRanges.Range(histogram, tensor == input ? options with { Method = CalibrationMethod.MinMax } : options);
            parameters[tensor] = QuantParams.ForRange(low, high, options.Activations);
        }
        var quantized = Assemble(folded, plan, parameters, options, samples);
        var info = new OnnxQuantizationInfo("", exportInfo.ModelName, options.Method, samples, exportInfo.FileBytes, quantized.CalculateSize(),
            foldedNorms, new SortedDictionary<string, int>(plan.QuantizedOps, StringComparer.Ordinal), plan.FloatNodes.ToList());
        return (quantized, info);
    }

    /// <summary>The QDQ model: the rewritten graph with the float model's opset, metadata and the quantization recorded.</summary>
    private static ModelProto Assemble(ModelProto floatModel, QdqPlan plan, IReadOnlyDictionary<string, QuantParams> parameters, OnnxQuantizationOptions options, int samples)
    {
        var result = floatModel.Clone();
        result.Graph = QdqRewriter.Rewrite(floatModel.Graph, plan, parameters, options.Activations);
        string format = options.Activations == QuantizedActivationType.Int8 ? "S8S8: int8 activations" : "U8S8: uint8 activations";
        string description = string.Create(CultureInfo.InvariantCulture,
            $"8-bit QDQ ({format}, per-channel symmetric int8 weights, int32 biases), {options.Method.ToString().ToLowerInvariant()} calibration on {samples} samples");
        result.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadata.Quantization, Value = description });
        result.DocString = $"{floatModel.DocString} ({description})";
        return result;
    }
}
