using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using ModelZoo.Data;
using ModelZoo.Data.Imaging;
using ModelZoo.Data.Transforms;
using ModelZoo.Onnx;

namespace ModelZoo.Cli.Commands;

/// <summary>
/// An ONNX file written by <c>modelzoo export --format onnx</c>, run in ONNX Runtime (CPU). The preprocessing comes
/// from the file's metadata (<see cref="OnnxMetadata"/>: input size, resize, crop, mean and std), so the file alone is
/// enough and the probabilities equal the checkpoint's.
/// </summary>
internal sealed class OnnxClassifier : IImageClassifier
{
    private readonly InferenceSession _session;
    private readonly ITransform _transform;
    private readonly SafeImageDecoder _decoder;
    private readonly int _channels;

    /// <exception cref="OnnxModelException">The file is not an ONNX model, or lacks ModelZoo's metadata.</exception>
    public OnnxClassifier(string path, int threads)
    {
        Source = Path.GetFullPath(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}': no such ONNX file", path);
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = threads, InterOpNumThreads = 1 };
            _session = new InferenceSession(path, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new OnnxModelException(path, $"ONNX Runtime cannot load it: {FirstLine(e.Message)}", e);
        }
        try
        {
            var meta = _session.ModelMetadata.CustomMetadataMap;
            string Get(string key) => meta.TryGetValue(key, out var v) ? v : throw new OnnxModelException(path,
                $"metadata '{key}' is missing (export it with 'modelzoo export --format onnx', which records the preprocessing)");
            if (!_session.InputMetadata.ContainsKey(OnnxMetadata.InputName) || !_session.OutputMetadata.ContainsKey(OnnxMetadata.OutputName))
                throw new OnnxModelException(path, $"expected input '{OnnxMetadata.InputName}' and output '{OnnxMetadata.OutputName}'");
            ModelName = Get(OnnxMetadata.ModelName);
            int classes = int.Parse(Get(OnnxMetadata.NumClasses), CultureInfo.InvariantCulture);
            ClassNames = meta.TryGetValue(OnnxMetadata.ClassNames, out var names)
                ? JsonSerializer.Deserialize<string[]>(names) ?? []
                : Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
            if (ClassNames.Count != classes) throw new OnnxModelException(path, $"{ClassNames.Count} class names for {classes} classes");
            int[] size = Get(OnnxMetadata.InputSize).Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            _channels = size[0];
            var normalization = new Normalization(Floats(Get(OnnxMetadata.Mean)), Floats(Get(OnnxMetadata.Std)));
            int crop = int.Parse(Get(OnnxMetadata.Crop), CultureInfo.InvariantCulture);
            string resize = Get(OnnxMetadata.Resize);
            _transform = resize == "none"
                ? new Compose(new Resize(crop, crop), new Normalize(normalization))
                : new Compose(new Resize(int.Parse(resize, CultureInfo.InvariantCulture)), new CenterCrop(crop), new Normalize(normalization));
            _decoder = new SafeImageDecoder(new ImageDecodeOptions(_channels));
        }
        catch (Exception e) when (e is FormatException or JsonException or OverflowException or IndexOutOfRangeException or ArgumentException)
        {
            _session.Dispose();
            throw new OnnxModelException(path, $"unreadable ModelZoo metadata: {e.Message}", e);
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    public string Source { get; }

    public string ModelName { get; }

    public IReadOnlyList<string> ClassNames { get; }

    public float[] Probabilities(string imagePath)
    {
        var pixels = _transform.Apply(_decoder.Decode(imagePath), new Random(0));
        using var input = OrtValue.CreateTensorValueFromMemory(pixels.Data, [1, pixels.Channels, pixels.Height, pixels.Width]);
        using var runOptions = new RunOptions();
        using var results = _session.Run(runOptions, [OnnxMetadata.InputName], [input], [OnnxMetadata.OutputName]);
        var logits = results[0].GetTensorDataAsSpan<float>();
        float max = float.NegativeInfinity;
        foreach (float v in logits) max = Math.Max(max, v);
        var p = new float[logits.Length];
        double sum = 0;
        for (int i = 0; i < p.Length; i++) sum += p[i] = MathF.Exp(logits[i] - max);
        for (int i = 0; i < p.Length; i++) p[i] = (float)(p[i] / sum);
        return p;
    }

    public void Dispose()
    {
        _session.Dispose();
        _decoder.Dispose();
    }

    private static float[] Floats(string csv) => csv.Split(',').Select(s => float.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}
