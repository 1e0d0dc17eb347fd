namespace ModelZoo.Onnx;

/// <summary>
/// Names in an exported graph: its input and output, and the <c>metadata_props</c> keys that record the model
/// and its preprocessing (from the model card). Numbers are written with the invariant culture; lists are comma-separated.
/// </summary>
public static class OnnxMetadata
{
    /// <summary>The graph input: float32 <c>[batch, channels, height, width]</c>, preprocessed as the <c>preprocessing.*</c> keys say.</summary>
    public const string InputName = "input";

    /// <summary>The graph output: float32 <c>[batch, classes]</c> logits (no softmax).</summary>
    public const string OutputName = "logits";

    /// <summary>Registry name of the model, e.g. <c>resnet50</c>.</summary>
    public const string ModelName = "modelzoo.model";

    /// <summary>Number of classes (width of <see cref="OutputName"/>).</summary>
    public const string NumClasses = "modelzoo.num_classes";

    /// <summary>Class names as a JSON array of strings, index = logit position; present only when the export was given them.</summary>
    public const string ClassNames = "modelzoo.class_names";

    /// <summary>Input the graph was built for, <c>channels,height,width</c>.</summary>
    public const string InputSize = "modelzoo.input_size";

    /// <summary>Present in int8 models written by <c>modelzoo quantize</c>: how the model was quantized and calibrated, in words.</summary>
    public const string Quantization = "modelzoo.quantization";

    /// <summary>Per-channel mean subtracted after scaling to [0, 1], e.g. <c>0.485,0.456,0.406</c>.</summary>
    public const string Mean = "preprocessing.mean";

    /// <summary>Per-channel standard deviation divided by, e.g. <c>0.229,0.224,0.225</c>.</summary>
    public const string Std = "preprocessing.std";

    /// <summary>Shorter side after resizing, or <c>none</c> (images already have the model's size).</summary>
    public const string Resize = "preprocessing.resize";

    /// <summary>Side of the centre crop.</summary>
    public const string Crop = "preprocessing.crop";

    /// <summary>Resize interpolation in torchvision's spelling, e.g. <c>bilinear</c>.</summary>
    public const string Interpolation = "preprocessing.interpolation";
}
