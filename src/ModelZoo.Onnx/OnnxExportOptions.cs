namespace ModelZoo.Onnx;

/// <summary>Settings of <see cref="OnnxExporter.Export"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The opset the exporter writes by default (and the one the tests run in ONNX Runtime).</summary>
    public const int DefaultOpset = 17;

    /// <summary>Lowest opset accepted.</summary>
    public const int MinimumOpset = 13;

    /// <summary>Highest opset accepted.</summary>
    public const int MaximumOpset = 21;

    /// <summary>
    /// Input height and width the graph is built for; null: the model card's default input (224x224, 28x28 for deepcnn).
    /// Only the batch dimension is dynamic: shapes of pooling layers that are not global (deepcnn's 4x4 and VGG's
    /// 7x7 adaptive average pools) are fixed for this size.
    /// </summary>
    public (int Height, int Width)? InputSize { get; init; }

    /// <summary>ONNX opset of the default domain (<see cref="MinimumOpset"/> to <see cref="MaximumOpset"/>; default <see cref="DefaultOpset"/>).</summary>
    public int Opset { get; init; } = DefaultOpset;

    /// <summary>
    /// Preprocessing to record in the metadata; null: the model card's. Give it when the model was trained with other
    /// statistics than the card's (the CLI passes the checkpoint's normalisation).
    /// </summary>
    public Preprocessing? Preprocessing { get; init; }

    /// <summary>Class names to record (<see cref="OnnxMetadata.ClassNames"/>); null: none. Must have one name per class.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Name of the graph's batch dimension (a symbolic <c>dim_param</c>).</summary>
    public string BatchDimension { get; init; } = "batch";
}
