using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("ModelZoo.Tests")]
[assembly: InternalsVisibleTo("ModelZoo.Onnx")]
