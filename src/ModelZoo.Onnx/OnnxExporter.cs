using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ModelZoo.Onnx;

/// <summary>
/// Writes a zoo model as an ONNX inference graph. TorchSharp has no tracer, so the graph is emitted from the
/// module tree: every family and block has a case that mirrors its eval-mode <c>forward</c>.
/// The graph has one input <c>input</c> (float32 <c>[batch, C, H, W]</c>) and one output <c>logits</c>
/// (float32 <c>[batch, classes]</c>); the batch dimension is symbolic, the rest is fixed to the export size.
/// Dropout is removed, batch norm is a <c>BatchNormalization</c> node with the running statistics, GoogLeNet's
/// auxiliary heads are left out. Initializers carry the state-dict names (<c>layer1.0.conv1.weight</c>).
/// The model card's preprocessing, the model name and the class count are written as <c>metadata_props</c>
/// (keys in <see cref="OnnxMetadata"/>).
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// Exports <paramref name="model"/> to <paramref name="path"/>, atomically (a temporary file in the same folder, then a rename),
    /// so a failed export leaves no partial file and an existing file is replaced only by a complete one.
    /// </summary>
    /// <param name="model">A zoo model (<see cref="Zoo.Create"/> or loaded from a checkpoint); its weights and running statistics are copied, its training mode is ignored; its card (<see cref="IZooModel.Card"/>) gives the default input size and the preprocessing metadata.</param>
    /// <param name="path">The ONNX file to write.</param>
    /// <param name="options">Input size, opset and preprocessing metadata; null: the card's input and preprocessing, opset 17.</param>
    /// <returns>What was written.</returns>
    /// <exception cref="OnnxExportException">A module cannot be exported (the message names its path and type).</exception>
    /// <exception cref="ArgumentOutOfRangeException">The opset or input size is out of range.</exception>
    /// <exception cref="ArgumentException">Not a zoo model, or the class names do not match the model's classes.</exception>
    public static OnnxExportInfo Export(nn.Module model, string path, OnnxExportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var (proto, info) = Build(model, options);
        string full = OnnxFiles.WriteAtomically(proto, path);
        return info with { Path = full, FileBytes = new FileInfo(full).Length };
    }

    /// <summary>Builds the ONNX model in memory (what <see cref="Export"/> writes); the info's path is empty and its size is the serialised size.</summary>
    internal static (ModelProto Model, OnnxExportInfo Info) Build(nn.Module model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
            throw new ArgumentOutOfRangeException(nameof(options), options.Opset, $"opset must be {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}");
        var card = Zoo.CardOf(model);
        var (height, width) = options.InputSize ?? (card.DefaultInput.Height, card.DefaultInput.Width);
        if (height < 1 || width < 1) throw new ArgumentOutOfRangeException(nameof(options), options.InputSize, "input height and width must be positive");
        long channels = model.modules().OfType<Conv2d>().FirstOrDefault()?.in_channels ?? card.DefaultInput.Channels;

        var builder = new OnnxGraphBuilder();
        builder.Unique(OnnxMetadata.InputName);
        builder.Unique(OnnxMetadata.OutputName);
        var input = new OnnxValue(OnnxMetadata.InputName, [channels, height, width]);
        OnnxValue output;
        using (torch.no_grad())
            output = new ModuleEmitter(builder).Emit(model, "", input);
        var graph = builder.Graph;
        if (output.Dims.Length != 1 || graph.Node.Count == 0 || graph.Node[^1].Output[0] != output.Name)
            throw new OnnxExportException("", model.GetType().Name, $"the graph does not end in a [batch, classes] node (got {output})");
        graph.Node[^1].Output[0] = OnnxMetadata.OutputName;
        if (builder.InitializerBytes > int.MaxValue - (64L << 20))
            throw new OnnxExportException("", model.GetType().Name, $"{builder.InitializerBytes} bytes of weights do not fit in one protobuf file (2 GiB)");

        graph.Name = card.Name;
        graph.Input.Add(OnnxGraphBuilder.TensorInfo(OnnxMetadata.InputName, options.BatchDimension, input.Dims));
        graph.Output.Add(OnnxGraphBuilder.TensorInfo(OnnxMetadata.OutputName, options.BatchDimension, output.Dims));

        var proto = new ModelProto
        {
            IrVersion = IrVersion(options.Opset),
            ProducerName = "ModelZoo.Onnx",
            ProducerVersion = typeof(OnnxExporter).Assembly.GetName().Version?.ToString() ?? "0",
            Domain = "modelzoo",
            ModelVersion = 1,
            DocString = $"{card.Name}: {card.Summary}",
            Graph = graph,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
        var p = options.Preprocessing ?? card.Preprocessing;
        static string Floats(IEnumerable<float> v) => string.Join(",", v.Select(f => f.ToString("R", CultureInfo.InvariantCulture)));
        foreach (var (key, value) in new[]
        {
            (OnnxMetadata.ModelName, card.Name),
            (OnnxMetadata.NumClasses, output.Dims[0].ToString(CultureInfo.InvariantCulture)),
            (OnnxMetadata.InputSize, string.Join(",", input.Dims.Select(d => d.ToString(CultureInfo.InvariantCulture)))),
            (OnnxMetadata.Mean, Floats(p.Mean)),
            (OnnxMetadata.Std, Floats(p.Std)),
            (OnnxMetadata.Resize, p.ResizeSize?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            (OnnxMetadata.Crop, p.CropSize.ToString(CultureInfo.InvariantCulture)),
            (OnnxMetadata.Interpolation, p.Interpolation),
        })
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        if (options.ClassNames is { } classNames)
        {
            if (classNames.Count != output.Dims[0])
                throw new ArgumentException($"{classNames.Count} class names for a model with {output.Dims[0]} classes", nameof(options));
            proto.MetadataProps.Add(new StringStringEntryProto { Key = OnnxMetadata.ClassNames, Value = JsonSerializer.Serialize(classNames) });
        }

        var info = new OnnxExportInfo("", card.Name, options.Opset, (input.Dims[0], input.Dims[1], input.Dims[2]), output.Dims[0],
            graph.Node.Count, graph.Initializer.Count, proto.CalculateSize());
        return (proto, info);
    }

    /// <summary>The IR version that goes with an opset (ONNX's versioning table).</summary>
    private static long IrVersion(int opset) => opset switch
    {
        <= 14 => 7,
        <= 18 => 8,
        <= 20 => 9,
        _ => 10,
    };
}
