# sweep: memory against context length (jamba-v0.1-div16)
# Written by hybench report.  Re-plot: cd into this folder, gnuplot memory-sweep.gp
set terminal svg size 820,460 noenhanced font 'Helvetica,12' background rgb 'white'
set output 'memory-sweep.svg'
set datafile separator '\t'
set datafile missing 'NaN'
set grid lc rgb '#d8d8d8'
set border lc rgb '#555555'
set key below left Left reverse samplen 2 spacing 1.1 maxrows 6
set title "sweep: memory against context length (jamba-v0.1-div16)"
set logscale xy
set xlabel 'context length (tokens)'
set ylabel 'GiB'
set format x '%g'
set format y '%g'
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set xtics (256, 1024, 4096, 8192)
plot \
  'memory-sweep.dat' index 0 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#1f77b4' title "0:1 weights", \
  'memory-sweep.dat' index 0 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#1f77b4' title "0:1 KV cache", \
  'memory-sweep.dat' index 0 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#1f77b4' title "0:1 SSM + conv state", \
  'memory-sweep.dat' index 1 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#d62728' title "1:7 weights", \
  'memory-sweep.dat' index 1 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#d62728' title "1:7 KV cache", \
  'memory-sweep.dat' index 1 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#d62728' title "1:7 SSM + conv state", \
  'memory-sweep.dat' index 2 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#2ca02c' title "1:3 weights", \
  'memory-sweep.dat' index 2 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#2ca02c' title "1:3 KV cache", \
  'memory-sweep.dat' index 2 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#2ca02c' title "1:3 SSM + conv state", \
  'memory-sweep.dat' index 3 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#ff7f0e' title "1:1 weights", \
  'memory-sweep.dat' index 3 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#ff7f0e' title "1:1 KV cache", \
  'memory-sweep.dat' index 3 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#ff7f0e' title "1:1 SSM + conv state", \
  'memory-sweep.dat' index 4 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#9467bd' title "1:0 weights", \
  'memory-sweep.dat' index 4 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#9467bd' title "1:0 KV cache", \
  'memory-sweep.dat' index 4 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#9467bd' title "1:0 SSM + conv state", \
  'memory-sweep.dat' index 5 using 1:2 with linespoints lw 2 pt 7 ps 0.5 dt 3 lc rgb '#8c564b' title "swa7:1 weights", \
  'memory-sweep.dat' index 5 using 1:3 with linespoints lw 2 pt 7 ps 0.5 dt 1 lc rgb '#8c564b' title "swa7:1 KV cache", \
  'memory-sweep.dat' index 5 using 1:4 with linespoints lw 2 pt 7 ps 0.5 dt 2 lc rgb '#8c564b' title "swa7:1 SSM + conv state"
