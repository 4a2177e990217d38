# scan: GFLOP/s against sequence length
# Written by hybench report.  Re-plot: cd into this folder, gnuplot family-scan-throughput.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'family-scan-throughput.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "scan: GFLOP/s against sequence length"
set logscale xy
set xlabel 'sequence length (prefill tokens / decode context)'
set ylabel 'GFLOP/s'
set format y '%g'
set format x '%g'
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set xtics (512, 2048, 256, 1024, 4096)
plot \
  'family-scan-throughput.dat' index 0 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#1f77b4' title "bench  x86/chunked-avx2  prefill  scan"  , \
'family-scan-throughput.dat' index 1 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#1f77b4' title "bench  x86/chunked-avx2  decode  scan"  , \
'family-scan-throughput.dat' index 2 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 1 lc rgb '#d62728' title "bench  x86/fused-avx2  prefill  scan"  , \
'family-scan-throughput.dat' index 3 using 1:5 with linespoints lw 2 pt 5 ps 0.8 dt 2 lc rgb '#d62728' title "bench  x86/fused-avx2  decode  scan"  , \
'family-scan-throughput.dat' index 4 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 1 lc rgb '#2ca02c' title "sweep  x86/fused-avx2  prefill  scan"  , \
'family-scan-throughput.dat' index 5 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#2ca02c' title "sweep  x86/fused-avx2  decode  scan"  , \
'family-scan-throughput.dat' index 6 using 1:5 with linespoints lw 2 pt 9 ps 0.8 dt 2 lc rgb '#ff7f0e' title "sweep  x86/fused-avx2  decode  scan/streamed"
